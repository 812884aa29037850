# The textbook formula: exp(-z) overflows for z = -1000, and 1 / (1 + inf) is the right 0 (a note,
# no failure).
import numpy as np


def sigmoid(Z):
    return 1 / (1 + np.exp(-Z))


EXPECT = {"notes": {"sigmoid.stable": "overflow encountered in exp"}}
