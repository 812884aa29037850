# Dropout that returns a mask of ones while training: nothing is ever dropped.
import numpy as np


def dropout_forward(A, keep_prob, rng, train=True):
    if not train:
        return A.copy(), None
    rng.random(A.shape)
    mask = np.ones_like(A)
    return A * mask, mask


EXPECT = {
    "lost": {
        "dropout_forward.train": 4,
    },
    "diagnoses": {
        "dropout_forward.train": "dropout_forward.not-applied",
    },
    "local": "dropout_forward.not-applied",
}
