# ReLU with np.where forward and np.heaviside backward (heaviside(0, 0) = 0).
import numpy as np


def relu_forward(Z):
    return np.where(Z > 0, Z, 0.0)


def relu_backward(dA, Z):
    return dA * np.heaviside(Z, 0.0)


EXPECT = {"notes": {}}
