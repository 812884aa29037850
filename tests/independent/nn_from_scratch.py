"""A second correct solution of the notebook, written independently of the reference.

It follows the docstrings of the assignment (the API), deliberately in another style: explicit
loops where the reference vectorizes, np.where / masks instead of np.maximum, einsum, np.add.at,
an explicit one-hot matrix, log-sum-exp through np.log1p, batches cut with np.split. The hidden
tests must give it full marks: they may only depend on the API, not on how the reference is
written. Loaded by tests/test_hidden_tests.py into a fresh namespace, like a student notebook.
"""

import numpy as np


def standardize(X, mean=None, std=None):
    n = X.shape[0]
    if mean is None:
        mean = X.sum(axis=0) / n
    if std is None:
        std = np.sqrt(((X - mean) ** 2).sum(axis=0) / n)
    X_std = np.empty(X.shape, dtype=float)
    for j in range(X.shape[1]):
        X_std[:, j] = (X[:, j] - mean[j]) / std[j]
    return X_std, mean, std


def sigmoid(Z):
    Z = np.asarray(Z, dtype=float)
    e = np.exp(-np.abs(Z))  # never overflows: the exponent is <= 0
    return np.where(Z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def init_params(layer_sizes, rng):
    params = []
    for layer in range(1, len(layer_sizes)):
        c_in, c_out = layer_sizes[layer - 1], layer_sizes[layer]
        W = rng.standard_normal(size=(c_in, c_out))
        b = 0.1 * np.ones(c_out)
        params.append((W, b))
    return params


def linear_forward(X, W, b):
    return np.einsum("nc,cd->nd", X, W) + b[np.newaxis, :]


def relu_forward(Z):
    return np.where(Z > 0, Z, 0.0)


def forward(params, X):
    cache = []
    A_prev = X
    last = len(params) - 1
    for layer, (W, b) in enumerate(params):
        Z = linear_forward(A_prev, W, b)
        cache.append((A_prev, Z))
        A_prev = Z if layer == last else relu_forward(Z)
    return A_prev, cache


def softmax(logits):
    shifted = logits - np.max(logits, axis=1)[:, np.newaxis]
    exp = np.exp(shifted)
    return exp / np.sum(exp, axis=1)[:, np.newaxis]


def _one_hot(y, k):
    onehot = np.zeros((len(y), k))
    for row, label in enumerate(y):
        onehot[row, int(label)] = 1.0
    return onehot


def softmax_cross_entropy(logits, y):
    row_max = logits.max(axis=1)
    # The row maximum contributes exp(0) = 1 to the sum, so log(sum) = log1p(sum - 1).
    rest = np.exp(logits - row_max[:, np.newaxis]).sum(axis=1) - 1.0
    log_sum_exp = row_max + np.log1p(rest)
    picked = (logits * _one_hot(y, logits.shape[1])).sum(axis=1)
    return float(np.mean(log_sum_exp - picked))


def predict(params, X):
    logits, _ = forward(params, X)
    return np.array([int(np.argmax(row)) for row in logits], dtype=np.int64)


def accuracy(y_pred, y):
    correct = sum(int(a == b) for a, b in zip(np.asarray(y_pred).tolist(), np.asarray(y).tolist()))
    return correct / len(y)


def linear_backward(dZ, X, W):
    dX = np.einsum("nd,cd->nc", dZ, W)
    dW = np.zeros(W.shape)
    db = np.zeros(W.shape[1])
    for n in range(X.shape[0]):
        dW += np.outer(X[n], dZ[n])
        db += dZ[n]
    return dX, dW, db


def relu_backward(dA, Z):
    dZ = np.array(dA, dtype=float, copy=True)
    dZ[Z <= 0] = 0.0
    return dZ


def softmax_cross_entropy_backward(logits, y):
    n = logits.shape[0]
    dlogits = softmax(logits)
    np.add.at(dlogits, (np.arange(n), np.asarray(y, dtype=np.intp)), -1.0)
    return dlogits / n


def backward(params, cache, dlogits):
    grads = []
    dZ = dlogits
    for layer in range(len(params) - 1, -1, -1):
        A_prev, _ = cache[layer]
        dA_prev, dW, db = linear_backward(dZ, A_prev, params[layer][0])
        grads.append((dW, db))
        if layer > 0:
            dZ = relu_backward(dA_prev, cache[layer - 1][1])
    grads.reverse()
    return grads


def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros(x.shape)
    for flat in range(x.size):
        index = np.unravel_index(flat, x.shape)
        saved = x[index]
        x[index] = saved + h
        up = f(x)
        x[index] = saved - h
        down = f(x)
        x[index] = saved
        grad[index] = (up - down) / (2.0 * h)
    return grad


def sgd_step(params, grads, lr):
    new_params = []
    for layer in range(len(params)):
        W, b = params[layer]
        dW, db = grads[layer]
        new_W = W.copy()
        new_W -= lr * dW
        new_b = b.copy()
        new_b -= lr * db
        new_params.append((new_W, new_b))
    return new_params


def train(X, y, layer_sizes, lr, epochs, batch_size, seed):
    rng = np.random.default_rng(seed)
    params = init_params(layer_sizes, rng)
    n = X.shape[0]
    losses = []
    for _ in range(epochs):
        order = rng.permutation(n)
        # Consecutive slices of batch_size; only the last one may be smaller.
        batches = np.split(order, np.arange(batch_size, n, batch_size))
        weighted = []
        for batch in batches:
            X_batch, y_batch = X[batch], y[batch]
            logits, cache = forward(params, X_batch)
            weighted.append(softmax_cross_entropy(logits, y_batch) * len(batch))
            dlogits = softmax_cross_entropy_backward(logits, y_batch)
            params = sgd_step(params, backward(params, cache, dlogits), lr)
        losses.append(float(sum(weighted) / n))
    return params, {"loss": losses}
