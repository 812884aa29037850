# unbroadcast that sums the leading axes broadcasting added but not the axes where the target
# shape has 1: a (N, 1) input keeps an (N, d) gradient.
import numpy as np


def unbroadcast(grad, shape):
    grad = np.array(grad, dtype=float)
    while grad.ndim > len(shape):
        grad = np.array(grad.sum(axis=0))
    return grad


EXPECT = {
    "lost": {
        "unbroadcast.values": 4,
    },
    "diagnoses": {},
    "local": None,
}
