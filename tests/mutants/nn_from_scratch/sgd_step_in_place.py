# sgd_step updates the arrays of params in place (W -= lr * dW) and returns the same list.
import numpy as np


def sgd_step(params, grads, lr):
    for (W, b), (dW, db) in zip(params, grads):
        W -= lr * dW
        b -= lr * db
    return params


EXPECT = {
    "lost": {
        "sgd_step.values": 4,
    },
    "diagnoses": {
        "sgd_step.values": "common.input-changed",
    },
    "local": "common.input-changed",
}
