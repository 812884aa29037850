# Binary cross-entropy through sigmoid and log: overflow and log(0) for large logits.
# %% solution-bce_with_logits
def bce_with_logits(z, y):
    p = 1 / (1 + np.exp(-z))
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))
