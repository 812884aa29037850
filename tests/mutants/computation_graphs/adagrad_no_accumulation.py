# AdaGrad that replaces G by the current squared gradient instead of adding it to the sum.
import numpy as np


def adagrad_step(params, grads, state, lr, eps=1e-8):
    new_params, G = [], []
    for (W, b), (dW, db) in zip(params, grads):
        GW, Gb = dW ** 2, db ** 2
        new_params.append((W - lr * dW / (np.sqrt(GW) + eps), b - lr * db / (np.sqrt(Gb) + eps)))
        G.append((GW, Gb))
    return new_params, {"G": G}


EXPECT = {
    "lost": {
        "adagrad_step.values": 5,
    },
    "diagnoses": {
        "adagrad_step.values": "adagrad_step.no-sum",
    },
    "local": "adagrad_step.no-sum",
}
