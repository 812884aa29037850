# A training loop that never passes the generator to forward: no dropout while training.
import numpy as np


def train(X, y, layer_sizes, optimizer, epochs, batch_size, seed, init="he", activation="relu",
          keep_prob=1.0, lam=0.0):
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
            logits, cache = forward(params, X[idx], activation, keep_prob)
            total += (softmax_cross_entropy(logits, y[idx]) + l2_penalty(params, lam)) * len(idx)
            grads = backward(params, cache, softmax_cross_entropy_backward(logits, y[idx]), activation)
            grads = [(dW + gW, db + gb) for (dW, db), (gW, gb) in zip(grads, l2_gradient(params, lam))]
            params, state = optimizer_step(optimizer, params, grads, state)
        history["loss"].append(total / n)
    return params, history


EXPECT = {
    "lost": {
        "train.loop": 6,
    },
    "diagnoses": {
        "train.loop": "train.dropout-off",
    },
    "local": "train.dropout-off",
}
