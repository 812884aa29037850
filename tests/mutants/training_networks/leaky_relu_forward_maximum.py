# Leaky ReLU forward as np.maximum(Z, alpha * Z): right for alpha <= 1 only.
import numpy as np


def leaky_relu_forward(Z, alpha=0.01):
    return np.maximum(Z, alpha * Z)


EXPECT = {
    "lost": {
        "leaky_relu_forward.values": 3,
    },
    "diagnoses": {
        "leaky_relu_forward.values": "leaky_relu_forward.maximum-form",
    },
    "local": "leaky_relu_forward.maximum-form",
}
