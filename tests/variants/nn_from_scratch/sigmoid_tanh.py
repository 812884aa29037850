# sigmoid through tanh, which never overflows: sigmoid(z) = (1 + tanh(z / 2)) / 2.
import numpy as np


def sigmoid(Z):
    return 0.5 * (1.0 + np.tanh(0.5 * Z))


EXPECT = {"notes": {}}
