# ELU forward with masks instead of np.where: inf * 0 = NaN for large positive Z.
import numpy as np


def elu_forward(Z, alpha=1.0):
    return Z * (Z > 0) + alpha * (np.exp(Z) - 1) * (Z <= 0)


EXPECT = {
    "lost": {
        "elu_forward.stable": 2,
    },
    "diagnoses": {
        "elu_forward.stable": "elu_forward.masks-times-exp",
    },
    "local": "elu_forward.masks-times-exp",
}
