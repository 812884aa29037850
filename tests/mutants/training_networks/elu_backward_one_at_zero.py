# ELU backward that takes the slope 1 at Z == 0 (the gradient there is alpha).
import numpy as np


def elu_backward(dA, Z, alpha=1.0):
    return dA * np.where(Z >= 0, 1.0, alpha * np.exp(np.minimum(Z, 0)))


EXPECT = {
    "lost": {
        "elu_backward.at-zero": 1,
    },
    "diagnoses": {
        "elu_backward.at-zero": "elu_backward.ge-zero",
    },
    "local": "elu_backward.ge-zero",
}
