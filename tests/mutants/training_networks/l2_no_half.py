# L2 penalty lam * sum(W**2) without the 1/2 (and its consistent gradient 2 lam W).
import numpy as np


def l2_penalty(params, lam):
    return float(lam * sum(np.sum(W ** 2) for W, _ in params))


def l2_gradient(params, lam):
    return [(2 * lam * W, np.zeros_like(b)) for W, b in params]


EXPECT = {
    "lost": {
        "l2_penalty.values": 4,
        "l2_gradient.values": 4,
    },
    "diagnoses": {
        "l2_penalty.values": "l2_penalty.no-half",
        "l2_gradient.values": "l2_gradient.doubled",
    },
    "local": {
        "l2_penalty": "l2_penalty.no-half",
        "l2_gradient": "l2_gradient.doubled",
    },
}
