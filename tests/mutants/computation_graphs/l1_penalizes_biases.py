# L1 penalty and subgradient over the biases too, where the notebook (like A2's L2) penalizes
# the weights only.
import numpy as np


def l1_penalty(params, lam):
    return float(lam * sum(np.abs(W).sum() + np.abs(b).sum() for W, b in params))


def l1_gradient(params, lam):
    return [(lam * np.sign(W), lam * np.sign(b)) for W, b in params]


EXPECT = {
    "lost": {
        "l1_penalty.values": 3,
        "l1_gradient.values": 3,
    },
    "diagnoses": {
        "l1_penalty.values": "l1_penalty.biases",
        "l1_gradient.values": "l1_gradient.biases",
    },
    "local": {"l1_penalty": "l1_penalty.biases", "l1_gradient": "l1_gradient.biases"},
}
