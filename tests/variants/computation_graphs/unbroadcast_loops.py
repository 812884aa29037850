# unbroadcast with loops: drop the leading axes one sum at a time, then sum every axis where the
# target has 1, keeping the axis.
import numpy as np


def unbroadcast(grad, shape):
    g = np.array(grad, dtype=float)
    for _ in range(g.ndim - len(shape)):
        g = g.sum(axis=0)
    for axis, size in enumerate(shape):
        if size == 1 and g.shape[axis] != 1:
            g = g.sum(axis=axis, keepdims=True)
    return g


EXPECT = {"notes": {}}
