# A training loop that standardizes the X it is given, in place, before training.
import numpy as np


def train(X, y, layer_sizes, optimizer, epochs, batch_size, seed, init="he", activation="relu",
          keep_prob=1.0, lam=0.0):
    X -= X.mean(axis=0)
    X /= X.std(axis=0)
    rng = np.random.default_rng(seed)
    params = init_params(layer_sizes, rng, init)
    state = init_state(optimizer, params)
    history = {"loss": []}
    n = len(X)
    for _ in range(epochs):
        order = rng.permutation(n)
        total = 0.0
        for start in range(0, n, batch_size):
            idx = order[start:start + batch_size]
            logits, cache = forward(params, X[idx], activation, keep_prob, rng)
            total += (softmax_cross_entropy(logits, y[idx]) + l2_penalty(params, lam)) * len(idx)
            grads = backward(params, cache, softmax_cross_entropy_backward(logits, y[idx]), activation)
            grads = [(dW + gW, db + gb) for (dW, db), (gW, gb) in zip(grads, l2_gradient(params, lam))]
            params, state = optimizer_step(optimizer, params, grads, state)
        history["loss"].append(total / n)
    return params, history


EXPECT = {
    "lost": {
        "train.one-step": 5,
        "train.loop": 6,
    },
    # Lost on some run seeds only: it trains on data other than those it is given (a turned draw
    # is not standardized per axis), and where that changes its first step, the tie of the
    # training checks says that the step is not its own functions' step on the data given.
    "maybe": {
        "train.loss-decreases": 3,
    },
    "diagnoses": {
        "train.one-step": "common.input-changed",
        "train.loop": "common.input-changed",
        "train.loss-decreases": "common.not-own-step",
    },
    "local": "common.input-changed",
}
