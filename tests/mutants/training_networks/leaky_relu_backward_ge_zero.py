# Leaky ReLU backward with slope 1 at Z == 0 (mask Z >= 0 instead of Z > 0).
import numpy as np


def leaky_relu_backward(dA, Z, alpha=0.01):
    return dA * np.where(Z >= 0, 1.0, alpha)


EXPECT = {
    "lost": {
        "leaky_relu_backward.at-zero": 1,
    },
    "diagnoses": {
        "leaky_relu_backward.at-zero": "leaky_relu_backward.ge-zero",
    },
    "local": "leaky_relu_backward.ge-zero",
}
