# L1 subgradient with slope +lam at W == 0 (W >= 0 instead of W > 0): 0 at 0 is the one the
# lecture picks.
import numpy as np


def l1_gradient(params, lam):
    return [(np.where(W >= 0, lam, -lam), np.zeros_like(b)) for W, b in params]


EXPECT = {
    "lost": {
        "l1_gradient.values": 3,
    },
    "diagnoses": {
        "l1_gradient.values": "l1_gradient.nonzero-at-zero",
    },
    "local": None,
}
