# Cross-entropy without the log-sum-exp trick: exp of the raw logits overflows for large logits.
import numpy as np


def cross_entropy(logits, y):
    e = np.exp(logits)
    p = e / e.sum(axis=1, keepdims=True)
    return float(-np.mean(np.log(p[np.arange(len(y)), y])))


EXPECT = {
    "lost": {
        "cross_entropy.stable": 2,
    },
    "diagnoses": {
        "cross_entropy.stable": "common.fp-error",
    },
    "local": None,
}
