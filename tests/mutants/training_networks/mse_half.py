# MSE with the 1/2 some texts use.
import numpy as np


def mse(y_pred, y):
    return float(0.5 * np.mean((y_pred - y) ** 2))


EXPECT = {
    "lost": {
        "mse.values": 4,
    },
    "diagnoses": {
        "mse.values": "mse.half",
    },
    "local": "mse.half",
}
