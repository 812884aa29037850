# MSE divided by the number of rows N instead of the number of entries.
import numpy as np


def mse(y_pred, y):
    return float(np.sum((y_pred - y) ** 2) / len(y_pred))


EXPECT = {
    "lost": {
        "mse.values": 4,
    },
    "diagnoses": {
        "mse.values": "mse.mean-over-rows",
    },
    "local": "mse.mean-over-rows",
}
