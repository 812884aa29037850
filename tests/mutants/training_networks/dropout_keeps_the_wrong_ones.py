# Dropout that keeps the entries where the draw is at least keep_prob.
def dropout_forward(A, keep_prob, rng, train=True):
    if not train:
        return A.copy(), None
    mask = (rng.random(A.shape) >= keep_prob) / keep_prob
    return A * mask, mask


EXPECT = {
    "lost": {
        "dropout_forward.train": 4,
    },
    "diagnoses": {
        "dropout_forward.train": "dropout_forward.keep-drop-swapped",
    },
    "local": "dropout_forward.keep-drop-swapped",
}
