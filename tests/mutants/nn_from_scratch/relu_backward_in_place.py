# ReLU backward zeroes the entries of dA in place and returns it: the caller's dA is changed.
import numpy as np


def relu_backward(dA, Z):
    dA[Z <= 0] = 0.0
    return dA


EXPECT = {
    "lost": {
        "relu_backward.values": 3,
        "relu_backward.at-zero": 2,
    },
    "diagnoses": {
        "relu_backward.values": "common.input-changed",
        "relu_backward.at-zero": "common.input-changed",
    },
    "local": "common.input-changed",
}
