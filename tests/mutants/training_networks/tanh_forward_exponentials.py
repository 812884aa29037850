# tanh from its definition with exponentials: inf / inf for |Z| ~ 1000.
import numpy as np


def tanh_forward(Z):
    return (np.exp(Z) - np.exp(-Z)) / (np.exp(Z) + np.exp(-Z))


EXPECT = {
    "lost": {
        "tanh_forward.values": 3,
    },
    "diagnoses": {
        "tanh_forward.values": "tanh_forward.exp-formula",
    },
    "local": "tanh_forward.exp-formula",
}
