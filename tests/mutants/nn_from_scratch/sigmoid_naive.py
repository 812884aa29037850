# The textbook formula: exp(-z) overflows for z = -1000.
import numpy as np


def sigmoid(Z):
    return 1 / (1 + np.exp(-Z))


EXPECT = {
    "lost": {
        "sigmoid.stable": 2,
    },
    "diagnoses": {
        "sigmoid.stable": "overflow",
    },
}
