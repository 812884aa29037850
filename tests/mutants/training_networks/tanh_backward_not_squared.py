# tanh backward with 1 - tanh(Z) instead of 1 - tanh(Z)**2.
import numpy as np


def tanh_backward(dA, Z):
    return dA * (1 - np.tanh(Z))


EXPECT = {
    "lost": {
        "tanh_backward.values": 3,
    },
    "diagnoses": {
        "tanh_backward.values": "tanh_backward.not-squared",
    },
    "local": "tanh_backward.not-squared",
}
