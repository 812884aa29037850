# tanh that clips a copy of its input first (the honest twin of clipping Z in place).
import numpy as np


def tanh_forward(Z):
    return np.tanh(np.clip(Z, -20.0, 20.0))


EXPECT = {"notes": {}}
