# Dropout without the 1/keep_prob of inverted dropout.
def dropout_forward(A, keep_prob, rng, train=True):
    if not train:
        return A.copy(), None
    mask = (rng.random(A.shape) < keep_prob).astype(float)
    return A * mask, mask


EXPECT = {
    "lost": {
        "dropout_forward.train": 4,
    },
    "diagnoses": {
        "dropout_forward.train": "dropout_forward.not-rescaled",
    },
    "local": "dropout_forward.not-rescaled",
}
