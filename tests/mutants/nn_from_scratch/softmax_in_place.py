# Softmax subtracts the row maximum in place: the caller's logits are changed.
import numpy as np


def softmax(logits):
    logits -= logits.max(axis=1, keepdims=True)
    exp = np.exp(logits)
    return exp / exp.sum(axis=1, keepdims=True)


EXPECT = {
    "lost": {
        "softmax.values": 3,
        "softmax.stable": 3,
    },
    "diagnoses": {
        "softmax.values": "common.input-changed",
        "softmax.stable": "common.input-changed",
    },
    "local": "common.input-changed",
}
