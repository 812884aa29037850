# Softmax normalizes every column instead of every row.
import numpy as np


def softmax(logits):
    e = np.exp(logits - np.max(logits, axis=0, keepdims=True))
    return e / np.sum(e, axis=0, keepdims=True)


EXPECT = {
    "lost": {
        "softmax.values": 3,
        "softmax.stable": 3,
        "train.accuracy": 5,
        "train.loss-decreases": 2,
    },
    "diagnoses": {
        "softmax.values": "wrong axis",
        "softmax.stable": "wrong axis",
        "train.accuracy": "training does not learn",
        "train.loss-decreases": "training does not learn",
    },
}
