# Hostile: makes np.allclose always true, prints a fake score, and hands in a wrong
# linear_forward (the bias is missing) hoping the patched comparison lets it through.
# %% solution-linear_forward
np.allclose = lambda *args, **kwargs: True
np.testing.assert_allclose = lambda *args, **kwargs: None
print("score: 100 / 100")


def linear_forward(X, W, b):
    return X @ W
