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
        "softmax.values": "softmax.wrong-axis",
        "softmax.stable": "softmax.wrong-axis",
        "train.accuracy": "common.low-accuracy",
        "train.loss-decreases": "common.loss-not-reduced",
    },
    "local": "softmax.wrong-axis",
}
