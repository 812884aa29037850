# Softmax without subtracting the row maximum: exp overflows for large logits.
import numpy as np


def softmax(logits):
    e = np.exp(logits)
    return e / e.sum(axis=1, keepdims=True)


EXPECT = {
    "lost": {
        "softmax.stable": 3,
    },
    "diagnoses": {
        "softmax.stable": "softmax.no-max-shift",
    },
    "local": "softmax.no-max-shift",
}
