# tanh backward as dA / cosh(Z)**2: cosh overflows for |Z| ~ 1000, and dA / inf is the right 0.
import numpy as np


def tanh_backward(dA, Z):
    return dA / np.cosh(Z) ** 2


EXPECT = {"notes": {"tanh_backward.values": "overflow encountered in cosh"}}
