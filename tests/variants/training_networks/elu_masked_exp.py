# ELU backward that takes exp only where Z <= 0, by boolean indexing into a new array.
import numpy as np


def elu_backward(dA, Z, alpha=1.0):
    slope = np.ones_like(Z, dtype=float)
    negative = Z <= 0
    slope[negative] = alpha * np.exp(Z[negative])
    return dA * slope


EXPECT = {"notes": {}}
