# exp_backward that exponentiates the output it is given again: dout * exp(out).
import numpy as np


def exp_backward(dout, out):
    return dout * np.exp(out)


EXPECT = {
    "lost": {
        "exp_backward.values": 2,
    },
    "diagnoses": {
        "exp_backward.values": "exp_backward.exp-again",
    },
    "local": "exp_backward.exp-again",
}
