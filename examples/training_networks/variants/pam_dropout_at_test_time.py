# Dropout that ignores train=False: it keeps dropping units when the network is evaluated.
# %% solution-dropout_forward
def dropout_forward(A, keep_prob, rng, train=True):
    rng = rng if rng is not None else np.random.default_rng(0)
    mask = (rng.random(A.shape) < keep_prob) / keep_prob
    return A * mask, mask
