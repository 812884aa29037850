# The training loop with precomputed lists of batch indices and np.average for the epoch's loss.
import numpy as np


def train(X, y, layer_sizes, optimizer, epochs, batch_size, seed, init="he", activation="relu",
          keep_prob=1.0, lam=0.0):
    rng = np.random.default_rng(seed)
    params = init_params(layer_sizes, rng, init)
    state = init_state(optimizer, params)
    history = {"loss": []}
    n = X.shape[0]
    n_batches = -(-n // batch_size)
    for _ in range(epochs):
        order = rng.permutation(n)
        batches = [order[k * batch_size:(k + 1) * batch_size] for k in range(n_batches)]
        losses, sizes = [], []
        for idx in batches:
            logits, cache = forward(params, X[idx], activation, keep_prob, rng)
            losses.append(softmax_cross_entropy(logits, y[idx]) + l2_penalty(params, lam))
            sizes.append(len(idx))
            grads = backward(params, cache, softmax_cross_entropy_backward(logits, y[idx]), activation)
            extra = l2_gradient(params, lam)
            grads = [(g[0] + e[0], g[1] + e[1]) for g, e in zip(grads, extra)]
            params, state = optimizer_step(optimizer, params, grads, state)
        history["loss"].append(float(np.average(losses, weights=sizes)))
    return params, history


EXPECT = {"notes": {}}
