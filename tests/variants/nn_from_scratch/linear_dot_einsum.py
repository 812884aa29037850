# The linear layer with np.dot forward and np.einsum backward.
import numpy as np


def linear_forward(X, W, b):
    return np.dot(X, W) + b


def linear_backward(dZ, X, W):
    return np.einsum("nk,jk->nj", dZ, W), np.einsum("ni,nk->ik", X, dZ), np.einsum("nk->k", dZ)


EXPECT = {"notes": {}}
