# L2 penalty over all weights flattened into one vector.
import numpy as np


def l2_penalty(params, lam):
    weights = np.concatenate([W.ravel() for W, _ in params])
    return float(lam * np.dot(weights, weights) / 2)


EXPECT = {"notes": {}}
