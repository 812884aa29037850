# Leaky ReLU forward that forgets the slope: negative entries become 0, as in ReLU.
import numpy as np


def leaky_relu_forward(Z, alpha=0.01):
    return np.maximum(Z, 0)


EXPECT = {
    "lost": {
        "leaky_relu_forward.values": 3,
    },
    "diagnoses": {
        "leaky_relu_forward.values": "leaky_relu_forward.is-relu",
    },
    "local": "leaky_relu_forward.is-relu",
}
