# Dropout whose test mode returns A itself rather than a copy; the backward with np.where.
import numpy as np


def dropout_forward(A, keep_prob, rng, train=True):
    if not train:
        return A, None
    mask = np.asarray(rng.random(A.shape) < keep_prob, dtype=float) / keep_prob
    return A * mask, mask


def dropout_backward(dOut, mask):
    return np.where(mask != 0, dOut * mask, 0.0)


EXPECT = {"notes": {}}
