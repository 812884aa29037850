# A training loop that computes every SGD step but never keeps the new parameters.
import numpy as np


def train(X, y, layer_sizes, lr, epochs, batch_size, seed):
    rng = np.random.default_rng(seed)
    params = init_params(layer_sizes, rng)
    history = {"loss": []}
    for _ in range(epochs):
        order = rng.permutation(len(X))
        total = 0.0
        for start in range(0, len(X), batch_size):
            idx = order[start:start + batch_size]
            logits, cache = forward(params, X[idx])
            total += softmax_cross_entropy(logits, y[idx]) * len(idx)
            sgd_step(params, backward(params, cache, softmax_cross_entropy_backward(logits, y[idx])), lr)
        history["loss"].append(total / len(X))
    return params, history


EXPECT = {
    "lost": {
        "train.one-step": 3,
        "train.loop": 4,
        "train.accuracy": 5,
        "train.loss-decreases": 2,
    },
    "diagnoses": {
        "train.one-step": "train.no-update",
        "train.loop": "train.no-update",
        "train.accuracy": "common.low-accuracy",
        "train.loss-decreases": "common.loss-not-reduced",
    },
    "local": "train.no-update",
}
