# L2 penalty with the norms of the weights instead of the sums of their squares.
import numpy as np


def l2_penalty(params, lam):
    return float(lam / 2 * sum(np.linalg.norm(W) for W, _ in params))


EXPECT = {
    "lost": {
        "l2_penalty.values": 4,
    },
    "diagnoses": {
        "l2_penalty.values": "l2_penalty.norms",
    },
    "local": "l2_penalty.norms",
}
