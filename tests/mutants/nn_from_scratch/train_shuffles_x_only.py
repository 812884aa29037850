# train shuffles the examples X but keeps the labels y in their original order.
import numpy as np


def train(X, y, layer_sizes, lr, epochs, batch_size, seed):
    rng = np.random.default_rng(seed)
    params = init_params(layer_sizes, rng)
    history = {"loss": []}
    n = len(X)
    for _ in range(epochs):
        order = rng.permutation(n)
        X_shuffled = X[order]
        total = 0.0
        for start in range(0, n, batch_size):
            xb, yb = X_shuffled[start:start + batch_size], y[start:start + batch_size]
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
        "train.accuracy": 5,
    },
    # Lost on some run seeds only: the training draws decide.
    "maybe": {
        "train.loss-decreases": 2,
    },
    "diagnoses": {
        "train.one-step": "train.shuffled-apart",
        "train.loop": "train.shuffled-apart",
        "train.accuracy": "common.low-accuracy",
        # Where the loss still drops, its first step is not its own functions' step (X and y
        # apart): the tie of the training checks says so.
        "train.loss-decreases": ("common.no-better-than-frequencies", "common.not-own-step"),
    },
    "local": "train.shuffled-apart",
}
