# Leaky ReLU by copying and scaling the negative part of the copy (never the input).
import numpy as np


def leaky_relu_forward(Z, alpha=0.01):
    A = np.array(Z, dtype=float, copy=True)
    A[A <= 0] *= alpha
    return A


def leaky_relu_backward(dA, Z, alpha=0.01):
    dZ = np.array(dA, dtype=float, copy=True)
    dZ[Z <= 0] *= alpha
    return dZ


EXPECT = {"notes": {}}
