# L2 regularization on the biases as well as on the weights.
# %% solution-l2_penalty
def l2_penalty(params, lam):
    return float(lam / 2 * sum(np.sum(W ** 2) + np.sum(b ** 2) for W, b in params))
# %% solution-l2_gradient
def l2_gradient(params, lam):
    return [(lam * W, lam * b) for W, b in params]
