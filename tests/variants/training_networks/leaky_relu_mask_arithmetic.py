# Leaky ReLU with boolean masks turned into slopes, forward and backward.
import numpy as np


def leaky_relu_forward(Z, alpha=0.01):
    positive = Z > 0
    return Z * (positive + alpha * ~positive)


def leaky_relu_backward(dA, Z, alpha=0.01):
    return np.where(Z > 0, dA, alpha * dA)


EXPECT = {"notes": {}}
