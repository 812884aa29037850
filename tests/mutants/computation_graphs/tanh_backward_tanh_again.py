# tanh_backward that applies tanh to the output it is given again: 1 - tanh(out)^2.
import numpy as np


def tanh_backward(dout, out):
    return dout * (1 - np.tanh(out) ** 2)


EXPECT = {
    "lost": {
        "tanh_backward.values": 2,
    },
    "diagnoses": {
        "tanh_backward.values": "tanh_backward.tanh-again",
    },
    "local": "tanh_backward.tanh-again",
}
