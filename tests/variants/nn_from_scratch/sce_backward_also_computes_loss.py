# The softmax cross-entropy gradient that also computes the loss (as many homework solutions do):
# log of a probability that underflowed to 0 warns for logits ~ 1e3, the returned gradient is
# exact (a note, no failure).
import numpy as np


def softmax_cross_entropy_backward(logits, y):
    shifted = logits - np.max(logits, axis=1, keepdims=True)
    probs = np.exp(shifted) / np.sum(np.exp(shifted), axis=1, keepdims=True)
    n = logits.shape[0]
    loss = -np.sum(np.log(probs[np.arange(n), y])) / n   # not returned
    dlogits = probs.copy()
    dlogits[np.arange(n), y] -= 1
    return dlogits / n


EXPECT = {"notes": {"softmax_cross_entropy_backward.stable": "divide by zero encountered in log"}}
