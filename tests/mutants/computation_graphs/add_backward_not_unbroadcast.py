# add_backward that hands dout to both inputs as it is: a bias (d,) added to a batch (N, d)
# gets an (N, d) gradient instead of its sum over the batch.
import numpy as np


def add_backward(dout, a, b):
    return np.array(dout, copy=True), np.array(dout, copy=True)


EXPECT = {
    "lost": {
        "add_backward.values": 3,
    },
    "diagnoses": {},
    "local": None,
}
