# The gradients of a @ b by einsum and relu_backward by a boolean mask times dout.
import numpy as np


def matmul_backward(dout, a, b):
    return np.einsum("nm,km->nk", dout, b), np.einsum("nk,nm->km", a, dout)


def relu_backward(dout, a):
    return dout * (a > 0).astype(float)


EXPECT = {"notes": {}}
