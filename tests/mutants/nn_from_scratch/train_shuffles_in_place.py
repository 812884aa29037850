# train shuffles X and y together, but in place: the caller's arrays come back reordered (and
# every epoch permutes the previous epoch's order, not the original one).
import numpy as np


def train(X, y, layer_sizes, lr, epochs, batch_size, seed):
    rng = np.random.default_rng(seed)
    params = init_params(layer_sizes, rng)
    history = {"loss": []}
    n = len(X)
    for _ in range(epochs):
        order = rng.permutation(n)
        X[:] = X[order]
        y[:] = y[order]
        total = 0.0
        for start in range(0, n, batch_size):
            xb, yb = X[start:start + batch_size], y[start:start + batch_size]
            logits, cache = forward(params, xb)
            total += softmax_cross_entropy(logits, yb) * len(xb)
            grads = backward(params, cache, softmax_cross_entropy_backward(logits, yb))
            params = sgd_step(params, grads, lr)
        history["loss"].append(total / n)
    return params, history


EXPECT = {
    "lost": {
        "train.one-step": 3,
        "train.loop": 4,
    },
    "diagnoses": {
        "train.one-step": "common.input-changed",
        "train.loop": "common.input-changed",
    },
    "local": "common.input-changed",
}
