# The cross-entropy gradient without the 1 / N of the mean: N times too large.
import numpy as np


def cross_entropy_backward(dout, logits, y):
    z = logits - logits.max(axis=1, keepdims=True)
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    p[np.arange(len(y)), y] -= 1
    return dout * p


EXPECT = {
    "lost": {
        "cross_entropy_backward.values": 4,
    },
    "diagnoses": {
        "cross_entropy_backward.values": "cross_entropy_backward.missing-1-over-n",
    },
    "local": "cross_entropy_backward.missing-1-over-n",
}
