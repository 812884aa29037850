# The training loop never shuffles: every epoch sees the mini-batches in the same order.
# %% solution-train
def train(X, y, layer_sizes, lr, epochs, batch_size, seed):
    rng = np.random.default_rng(seed)
    params = init_params(layer_sizes, rng)
    history = {"loss": []}
    for _ in range(epochs):
        total = 0.0
        for start in range(0, len(X), batch_size):
            Xb, yb = X[start:start + batch_size], y[start:start + batch_size]
            logits, cache = forward(params, Xb)
            total += softmax_cross_entropy(logits, yb) * len(yb)
            grads = backward(params, cache, softmax_cross_entropy_backward(logits, yb))
            params = sgd_step(params, grads, lr)
        history["loss"].append(total / len(X))
    return params, history
