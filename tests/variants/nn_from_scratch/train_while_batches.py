# The training loop with a while loop over batch starts and np.float64 losses converted at the end.
import numpy as np


def train(X, y, layer_sizes, lr, epochs, batch_size, seed):
    rng = np.random.default_rng(seed)
    params = init_params(layer_sizes, rng)
    history = {"loss": []}
    N = X.shape[0]
    for _ in range(epochs):
        perm = rng.permutation(N)
        Xs, ys = X[perm], y[perm]
        start, weighted = 0, np.float64(0.0)
        while start < N:
            xb, yb = Xs[start:start + batch_size], ys[start:start + batch_size]
            logits, cache = forward(params, xb)
            weighted += softmax_cross_entropy(logits, yb) * xb.shape[0]
            params = sgd_step(params, backward(params, cache, softmax_cross_entropy_backward(logits, yb)), lr)
            start += batch_size
        history["loss"].append(float(weighted / N))
    return params, history


EXPECT = {"notes": {}}
