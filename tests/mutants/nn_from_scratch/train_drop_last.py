# Only full batches: the smaller batch at the end of every epoch is skipped.
import numpy as np


def train(X, y, layer_sizes, lr, epochs, batch_size, seed):
    rng = np.random.default_rng(seed)
    params = init_params(layer_sizes, rng)
    history = {"loss": []}
    N = len(X)
    n_batches = N // batch_size
    for _ in range(epochs):
        perm = rng.permutation(N)
        losses = []
        for k in range(n_batches):
            idx = perm[k * batch_size:(k + 1) * batch_size]
            logits, cache = forward(params, X[idx])
            losses.append(softmax_cross_entropy(logits, y[idx]))
            dlogits = softmax_cross_entropy_backward(logits, y[idx])
            params = sgd_step(params, backward(params, cache, dlogits), lr)
        history["loss"].append(float(np.mean(losses)))
    return params, history


EXPECT = {
    "lost": {
        "train.loop": 4,
    },
    "diagnoses": {
        "train.loop": "train.drop-last",
    },
    "local": "train.drop-last",
}
