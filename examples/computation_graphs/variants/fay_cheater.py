# Hostile: makes np.allclose always true, prints a fake score, and hands in an L1 penalty that
# also penalizes the biases, hoping the patched comparison lets it through.
# %% solution-l1_penalty
np.allclose = lambda *args, **kwargs: True
np.isclose = lambda *args, **kwargs: True
np.testing.assert_allclose = lambda *args, **kwargs: None
print("score: 100 / 100")


def l1_penalty(params, lam):
    return float(lam * sum(np.abs(W).sum() + np.abs(b).sum() for W, b in params))
