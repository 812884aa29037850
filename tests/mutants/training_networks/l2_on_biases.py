# L2 regularization on the biases as well as the weights.
import numpy as np


def l2_penalty(params, lam):
    return float(lam / 2 * sum(np.sum(W ** 2) + np.sum(b ** 2) for W, b in params))


def l2_gradient(params, lam):
    return [(lam * W, lam * b) for W, b in params]


EXPECT = {
    "lost": {
        "l2_penalty.values": 4,
        "l2_gradient.values": 4,
    },
    "diagnoses": {
        "l2_penalty.values": "l2_penalty.biases",
        "l2_gradient.values": "l2_gradient.biases",
    },
    "local": {
        "l2_penalty": "l2_penalty.biases",
        "l2_gradient": "l2_gradient.biases",
    },
}
