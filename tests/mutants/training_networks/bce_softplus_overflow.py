# BCE as (1 - y) z + log(1 + exp(-z)): exp(-z) overflows for large negative logits.
import numpy as np


def bce_with_logits(z, y):
    return float(np.mean((1 - y) * z + np.log1p(np.exp(-z))))


EXPECT = {
    "lost": {
        "bce_with_logits.stable": 3,
    },
    "diagnoses": {
        "bce_with_logits.stable": "common.fp-error",
    },
    "local": None,
}
