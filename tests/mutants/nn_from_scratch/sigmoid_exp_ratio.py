# sigmoid as exp(z) / (1 + exp(z)) everywhere: inf / inf for z ~ 1000.
import numpy as np


def sigmoid(Z):
    e = np.exp(Z)
    return e / (1 + e)


EXPECT = {
    "lost": {
        "sigmoid.stable": 2,
    },
    "diagnoses": {
        "sigmoid.stable": "sigmoid.exp-ratio",
    },
    "local": "sigmoid.exp-ratio",
}
