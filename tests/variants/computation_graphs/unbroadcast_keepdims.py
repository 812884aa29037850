# unbroadcast in one sum: the shape padded with leading 1s names every summed axis, summed at once
# with keepdims=True, then reshaped to the target shape.
import numpy as np


def unbroadcast(grad, shape):
    grad = np.asarray(grad, dtype=float)
    padded = (1,) * (grad.ndim - len(shape)) + tuple(shape)
    axes = tuple(i for i, (s, g) in enumerate(zip(padded, grad.shape)) if s == 1 and g != 1)
    return grad.sum(axis=axes, keepdims=True).reshape(shape)


EXPECT = {"notes": {}}
