# ELU forward with np.where over the whole array: exp overflows for large positive Z, but np.where
# throws that inf away, so the answer is right (a note, no failure).
import numpy as np


def elu_forward(Z, alpha=1.0):
    return np.where(Z > 0, Z, alpha * (np.exp(Z) - 1))


EXPECT = {"notes": {"elu_forward.stable": "overflow encountered in exp"}}
