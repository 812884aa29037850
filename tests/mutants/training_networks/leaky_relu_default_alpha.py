# Leaky ReLU forward and backward with the default slope 0.1 instead of 0.01.
import numpy as np


def leaky_relu_forward(Z, alpha=0.1):
    return np.where(Z > 0, Z, alpha * Z)


def leaky_relu_backward(dA, Z, alpha=0.1):
    return dA * np.where(Z > 0, 1.0, alpha)


EXPECT = {
    "lost": {
        "leaky_relu_forward.values": 3,
        "leaky_relu_backward.values": 2,
    },
    "diagnoses": {
        "leaky_relu_forward.values": "leaky_relu_forward.default-alpha",
        "leaky_relu_backward.values": "leaky_relu_backward.default-alpha",
    },
    "local": {
        "leaky_relu_forward": "leaky_relu_forward.default-alpha",
        "leaky_relu_backward": "leaky_relu_backward.default-alpha",
    },
}
