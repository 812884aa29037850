# L2 penalty with einsum, its gradient with an explicit loop.
import numpy as np


def l2_penalty(params, lam):
    return float(0.5 * lam * sum(np.einsum("ij,ij->", W, W) for W, _ in params))


def l2_gradient(params, lam):
    grads = []
    for W, b in params:
        grads.append((np.multiply(lam, W), np.zeros(b.shape)))
    return grads


EXPECT = {"notes": {}}
