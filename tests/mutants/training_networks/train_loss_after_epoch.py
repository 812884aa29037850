# A training loop whose history holds the loss on all of X after each epoch, instead of the mean
# of the batch losses taken before each step.
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
        for start in range(0, n, batch_size):
            batch = order[start:start + batch_size]
            Xb, yb = X[batch], y[batch]
            logits, cache = forward(params, Xb, activation, keep_prob, rng)
            grads = backward(params, cache, softmax_cross_entropy_backward(logits, yb), activation)
            grads = [(dW + gW, db + gb) for (dW, db), (gW, gb) in zip(grads, l2_gradient(params, lam))]
            params, state = optimizer_step(optimizer, params, grads, state)
        logits, _ = forward(params, X, activation)
        history["loss"].append(float(softmax_cross_entropy(logits, y) + l2_penalty(params, lam)))
    return params, history


EXPECT = {
    "lost": {
        "train.loop": 6,
    },
    "diagnoses": {
        "train.loop": "train.loss-after-epoch",
    },
    "local": "train.loss-after-epoch",
}
