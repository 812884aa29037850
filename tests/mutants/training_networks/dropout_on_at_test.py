# Dropout that ignores train=False and drops at test time too.
import numpy as np


def dropout_forward(A, keep_prob, rng, train=True):
    rng = rng if rng is not None else np.random.default_rng(0)
    mask = (rng.random(A.shape) < keep_prob) / keep_prob
    return A * mask, mask


EXPECT = {
    "lost": {
        "dropout_forward.test": 2,
    },
    "diagnoses": {
        "dropout_forward.test": "dropout_forward.on-at-test",
    },
    "local": "dropout_forward.on-at-test",
}
