# accuracy returns the number of correct labels instead of the fraction.
import numpy as np


def accuracy(y_pred, y):
    return int(np.sum(y_pred == y))


EXPECT = {
    "lost": {
        "accuracy.values": 2,
    },
    "diagnoses": {
        "accuracy.values": "accuracy.count",
    },
    "local": "accuracy.count",
}
