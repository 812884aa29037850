# MSE and its gradient through a flat view and a dot product.
import numpy as np


def mse(y_pred, y):
    diff = (y_pred - y).ravel()
    return float(diff @ diff / diff.size)


def mse_backward(y_pred, y):
    return 2.0 * (y_pred - y) / np.prod(y_pred.shape)


EXPECT = {"notes": {}}
