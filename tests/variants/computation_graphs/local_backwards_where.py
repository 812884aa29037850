# The local backwards with np.where, np.broadcast_to and np.dot, the sum and mean ones through
# np.broadcast_to copies, tanh's from the output as dout - dout * out**2.
import numpy as np


def add_backward(dout, a, b):
    return unbroadcast(dout, np.shape(a)), unbroadcast(dout, np.shape(b))


def mul_backward(dout, a, b):
    return unbroadcast(np.multiply(dout, b), np.shape(a)), unbroadcast(np.multiply(a, dout), np.shape(b))


def matmul_backward(dout, a, b):
    return np.dot(dout, b.T), np.dot(a.T, dout)


def sum_backward(dout, a):
    return np.broadcast_to(np.asarray(dout, dtype=float), np.shape(a)).copy()


def mean_backward(dout, a):
    return np.broadcast_to(np.asarray(dout, dtype=float) / np.size(a), np.shape(a)).copy()


def relu_backward(dout, a):
    return np.where(a > 0, dout, 0.0)


def exp_backward(dout, out):
    return out * dout


def log_backward(dout, a):
    return dout * (1.0 / a)


def tanh_backward(dout, out):
    return dout - dout * out ** 2


EXPECT = {"notes": {}}
