# Softmax subtracts the row maximum in place: the caller's logits are changed.
import numpy as np


def softmax(logits):
    logits -= logits.max(axis=1, keepdims=True)
    exp = np.exp(logits)
    return exp / exp.sum(axis=1, keepdims=True)


EXPECT = {
    "lost": {
        "softmax.values": 3,
    },
    "diagnoses": {
        "softmax.values": "input mutated in place",
    },
}
