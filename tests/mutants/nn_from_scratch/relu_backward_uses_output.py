# ReLU backward multiplies by the ReLU output instead of the 0/1 mask.
import numpy as np


def relu_backward(dA, Z):
    return dA * np.maximum(Z, 0)


EXPECT = {
    "lost": {
        "relu_backward.values": 3,
        "relu_backward.at-zero": 2,
        "train.accuracy": 5,
    },
    "diagnoses": {
        "relu_backward.values": "relu_backward.uses-output",
        "relu_backward.at-zero": "relu_backward.uses-output",
        "train.accuracy": "common.low-accuracy",
    },
    "local": "relu_backward.uses-output",
}
