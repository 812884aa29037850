# ELU forward and backward with the default alpha 0.5 instead of 1.
import numpy as np


def elu_forward(Z, alpha=0.5):
    return np.where(Z > 0, Z, alpha * np.expm1(np.minimum(Z, 0)))


def elu_backward(dA, Z, alpha=0.5):
    return dA * np.where(Z > 0, 1.0, alpha * np.exp(np.minimum(Z, 0)))


EXPECT = {
    "lost": {
        "elu_forward.values": 2,
        "elu_backward.values": 2,
    },
    "diagnoses": {
        "elu_forward.values": "elu_forward.default-alpha",
        "elu_backward.values": "elu_backward.default-alpha",
    },
    "local": {
        "elu_forward": "elu_forward.default-alpha",
        "elu_backward": "elu_backward.default-alpha",
    },
}
