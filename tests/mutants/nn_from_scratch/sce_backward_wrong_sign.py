# The softmax cross-entropy gradient with the one-hot first: (onehot - softmax) / N.
import numpy as np


def softmax_cross_entropy_backward(logits, y):
    onehot = np.zeros_like(logits)
    onehot[np.arange(len(y)), y] = 1.0
    return (onehot - softmax(logits)) / len(y)


EXPECT = {
    "lost": {
        "softmax_cross_entropy_backward.values": 5,
        "softmax_cross_entropy_backward.stable": 2,
        "train.accuracy": 5,
        "train.loss-decreases": 2,
    },
    "diagnoses": {
        "softmax_cross_entropy_backward.values": "softmax_cross_entropy_backward.wrong-sign",
        "softmax_cross_entropy_backward.stable": "softmax_cross_entropy_backward.wrong-sign",
        "train.accuracy": "common.low-accuracy",
        "train.loss-decreases": "common.loss-not-reduced",
    },
    "local": "softmax_cross_entropy_backward.wrong-sign",
}
