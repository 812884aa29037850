# A training loop that takes the mini-batches in the original order every epoch.
import numpy as np


def train(X, y, layer_sizes, optimizer, epochs, batch_size, seed, init="he", activation="relu",
          keep_prob=1.0, lam=0.0):
    rng = np.random.default_rng(seed)
    params = init_params(layer_sizes, rng, init)
    state = init_state(optimizer, params)
    history = {"loss": []}
    n = len(X)
    for _ in range(epochs):
        total = 0.0
        for start in range(0, n, batch_size):
            Xb, yb = X[start:start + batch_size], y[start:start + batch_size]
            logits, cache = forward(params, Xb, activation, keep_prob, rng)
            total += (softmax_cross_entropy(logits, yb) + l2_penalty(params, lam)) * len(yb)
            grads = backward(params, cache, softmax_cross_entropy_backward(logits, yb), activation)
            grads = [(dW + gW, db + gb) for (dW, db), (gW, gb) in zip(grads, l2_gradient(params, lam))]
            params, state = optimizer_step(optimizer, params, grads, state)
        history["loss"].append(total / n)
    return params, history


EXPECT = {
    "lost": {
        "train.loop": 6,
    },
    "diagnoses": {
        "train.loop": "train.no-shuffle",
    },
    "local": "train.no-shuffle",
}
