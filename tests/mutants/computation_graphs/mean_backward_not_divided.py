# mean_backward that forgets the 1 / a.size of the mean: the gradient of the sum.
import numpy as np


def mean_backward(dout, a):
    return np.ones_like(a) * dout


EXPECT = {
    "lost": {
        "mean_backward.values": 2,
    },
    "diagnoses": {
        "mean_backward.values": "mean_backward.sum",
    },
    "local": "mean_backward.sum",
}
