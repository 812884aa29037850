# Losses and accuracy returned through NumPy floats, converted with float() at the end.
import numpy as np


def softmax_cross_entropy(logits, y):
    m = logits.max(axis=1, keepdims=True)
    lse = m[:, 0] + np.log(np.exp(logits - m).sum(axis=1))
    return float(np.float64(np.mean(lse - logits[np.arange(len(y)), y])))


def accuracy(y_pred, y):
    return float(np.float64((y_pred == y).mean()))


EXPECT = {"notes": {}}
