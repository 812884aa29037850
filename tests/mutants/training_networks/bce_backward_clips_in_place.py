# BCE gradient that clips the logits in place (the caller's z changes for |z| > 500).
import numpy as np


def bce_with_logits_backward(z, y):
    np.clip(z, -500, 500, out=z)
    return (1 / (1 + np.exp(-z)) - y) / len(z)


EXPECT = {
    "lost": {
        "bce_with_logits_backward.stable": 2,
    },
    "diagnoses": {
        "bce_with_logits_backward.stable": "common.input-changed",
    },
    "local": "common.input-changed",
}
