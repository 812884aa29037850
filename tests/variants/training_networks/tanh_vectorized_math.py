# tanh and its derivative element by element with np.vectorize and the math module.
import math

import numpy as np

_tanh = np.vectorize(math.tanh, otypes=[float])


def tanh_forward(Z):
    return _tanh(Z)


def tanh_backward(dA, Z):
    t = _tanh(Z)
    return dA * (1.0 - t * t)


EXPECT = {"notes": {}}
