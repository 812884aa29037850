# predict with argsort (the last index is the largest logit), accuracy with count_nonzero, both
# returning NumPy floats converted to Python floats.
import numpy as np


def predict(params, X):
    logits, _ = forward(params, X)
    return np.argsort(logits, axis=1)[:, -1]


def accuracy(y_pred, y):
    return float(np.count_nonzero(np.asarray(y_pred) == np.asarray(y)) / len(y))


EXPECT = {"notes": {}}
