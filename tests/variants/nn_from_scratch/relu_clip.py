# ReLU forward with np.clip into a new array, backward with a float mask.
import numpy as np


def relu_forward(Z):
    return np.clip(Z, 0.0, None)


def relu_backward(dA, Z):
    return dA * (Z > 0).astype(float)


EXPECT = {"notes": {}}
