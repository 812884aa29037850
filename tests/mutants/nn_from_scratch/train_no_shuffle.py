# Mini-batches always in the original order: no permutation per epoch.
import numpy as np


def train(X, y, layer_sizes, lr, epochs, batch_size, seed):
    rng = np.random.default_rng(seed)
    params = init_params(layer_sizes, rng)
    history = {"loss": []}
    N = X.shape[0]
    for _ in range(epochs):
        epoch_loss = 0.0
        for i in range(0, N, batch_size):
            Xb, yb = X[i:i + batch_size], y[i:i + batch_size]
            logits, cache = forward(params, Xb)
            epoch_loss += softmax_cross_entropy(logits, yb) * len(yb)
            grads = backward(params, cache, softmax_cross_entropy_backward(logits, yb))
            params = sgd_step(params, grads, lr)
        history["loss"].append(epoch_loss / N)
    return params, history


EXPECT = {
    "lost": {
        "train.loop": 4,
    },
    "diagnoses": {
        "train.loop": "train.no-shuffle",
    },
    "local": "train.no-shuffle",
}
