# BCE through sigmoid and log: log(0) and overflow for large logits.
import numpy as np


def bce_with_logits(z, y):
    p = 1 / (1 + np.exp(-z))
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


EXPECT = {
    "lost": {
        "bce_with_logits.stable": 3,
    },
    "diagnoses": {
        "bce_with_logits.stable": "bce_with_logits.sigmoid-then-log",
    },
    "local": "bce_with_logits.sigmoid-then-log",
}
