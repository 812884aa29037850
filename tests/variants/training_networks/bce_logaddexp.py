# BCE as log(1 + e^z) - y z with np.logaddexp, and its gradient through tanh.
import numpy as np


def bce_with_logits(z, y):
    return float(np.mean(np.logaddexp(0.0, z) - y * z))


def bce_with_logits_backward(z, y):
    return (0.5 * (1.0 + np.tanh(0.5 * z)) - y) / z.shape[0]


EXPECT = {"notes": {}}
