# ELU forward with np.where over the whole array: exp overflows for large positive Z.
import numpy as np


def elu_forward(Z, alpha=1.0):
    return np.where(Z > 0, Z, alpha * (np.exp(Z) - 1))


EXPECT = {
    "lost": {
        "elu_forward.stable": 2,
    },
    "diagnoses": {
        "elu_forward.stable": "overflow",
    },
}
