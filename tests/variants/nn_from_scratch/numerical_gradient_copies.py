# numerical_gradient that perturbs copies of x (x itself is never changed).
import numpy as np


def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros(x.shape)
    for i in np.ndindex(*x.shape):
        up, down = x.astype(float).copy(), x.astype(float).copy()
        up[i] += h
        down[i] -= h
        grad[i] = (f(up) - f(down)) / (2 * h)
    return grad


EXPECT = {"notes": {}}
