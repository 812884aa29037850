# L1 subgradient from masks: lam where W > 0, -lam where W < 0, 0 elsewhere (W == 0 included).
import numpy as np


def l1_penalty(params, lam):
    return float(np.sum([lam * np.abs(W).sum() for W, _ in params]))


def l1_gradient(params, lam):
    return [(lam * ((W > 0).astype(float) - (W < 0).astype(float)), np.zeros(b.shape))
            for W, b in params]


EXPECT = {"notes": {}}
