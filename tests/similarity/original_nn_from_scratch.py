"""A third solution of nn_from_scratch, in a style of its own (helpers, matrix products with @,
dicts of layers, explicit batching), written for the similarity tests: the student whose work the
copiers of tests/test_similarity.py take and disguise. It follows the assignment's API; it is
only read (fingerprinted), never graded.
"""

import numpy as np


def standardize(X, mean=None, std=None):
    # column statistics unless the caller passes the training set's
    mu = X.mean(axis=0) if mean is None else mean
    sigma = X.std(axis=0) if std is None else std
    sigma_safe = np.where(sigma == 0, 1.0, sigma)
    centred = X - mu
    return centred / sigma_safe, mu, sigma


def sigmoid(Z):
    out = np.empty_like(Z, dtype=float)
    positive = Z >= 0
    out[positive] = 1.0 / (1.0 + np.exp(-Z[positive]))
    expz = np.exp(Z[~positive])
    out[~positive] = expz / (1.0 + expz)
    return out


def init_params(layer_sizes, rng):
    pairs = list(zip(layer_sizes[:-1], layer_sizes[1:]))
    weights = [rng.standard_normal((fan_in, fan_out)) for fan_in, fan_out in pairs]
    biases = [np.full(fan_out, 0.1) for _, fan_out in pairs]
    return list(zip(weights, biases))


def linear_forward(X, W, b):
    scores = X @ W
    scores = scores + b.reshape(1, -1)
    return scores


def relu_forward(Z):
    clipped = Z.copy()
    clipped[clipped < 0] = 0
    return clipped


def forward(params, X):
    activations = X
    memory = []
    for depth, (W, b) in enumerate(params):
        pre = linear_forward(activations, W, b)
        memory.append((activations, pre))
        is_output = depth == len(params) - 1
        activations = pre if is_output else relu_forward(pre)
    return activations, memory


def softmax(logits):
    stable = logits - logits.max(axis=1, keepdims=True)
    numer = np.exp(stable)
    denom = numer.sum(axis=1, keepdims=True)
    return numer / denom


def _rows_and_labels(y):
    labels = np.asarray(y).astype(int)
    rows = np.arange(labels.shape[0])
    return rows, labels


def softmax_cross_entropy(logits, y):
    rows, labels = _rows_and_labels(y)
    stable = logits - logits.max(axis=1, keepdims=True)
    log_norm = np.log(np.exp(stable).sum(axis=1))
    nll = log_norm - stable[rows, labels]
    return float(nll.mean())


def predict(params, X):
    scores, _ = forward(params, X)
    return scores.argmax(axis=1)


def accuracy(y_pred, y):
    hits = np.asarray(y_pred) == np.asarray(y)
    return float(hits.mean())


def linear_backward(dZ, X, W):
    grad_input = dZ @ W.T
    grad_weight = X.T @ dZ
    grad_bias = dZ.sum(axis=0)
    return grad_input, grad_weight, grad_bias


def relu_backward(dA, Z):
    gate = (Z > 0).astype(dA.dtype)
    return gate * dA


def softmax_cross_entropy_backward(logits, y):
    rows, labels = _rows_and_labels(y)
    probs = softmax(logits)
    probs[rows, labels] -= 1.0
    return probs / logits.shape[0]


def backward(params, cache, dlogits):
    upstream = dlogits
    collected = [None] * len(params)
    for depth in reversed(range(len(params))):
        inputs, _ = cache[depth]
        W = params[depth][0]
        upstream, dW, db = linear_backward(upstream, inputs, W)
        collected[depth] = (dW, db)
        if depth:
            previous_pre = cache[depth - 1][1]
            upstream = relu_backward(upstream, previous_pre)
    return collected


def numerical_gradient(f, x, h=1e-5):
    estimate = np.zeros_like(x, dtype=float)
    iterator = np.nditer(x, flags=["multi_index"])
    while not iterator.finished:
        where = iterator.multi_index
        keep = x[where]
        x[where] = keep + h
        plus = f(x)
        x[where] = keep - h
        minus = f(x)
        x[where] = keep
        estimate[where] = (plus - minus) / (2 * h)
        iterator.iternext()
    return estimate


def sgd_step(params, grads, lr):
    updated = []
    for (W, b), (dW, db) in zip(params, grads):
        updated.append((W - lr * dW, b - lr * db))
    return updated


def _minibatches(order, batch_size):
    for start in range(0, len(order), batch_size):
        yield order[start:start + batch_size]


def train(X, y, layer_sizes, lr, epochs, batch_size, seed):
    rng = np.random.default_rng(seed)
    params = init_params(layer_sizes, rng)
    history = []
    count = len(X)
    for _ in range(epochs):
        running = 0.0
        for chunk in _minibatches(rng.permutation(count), batch_size):
            scores, memory = forward(params, X[chunk])
            running += softmax_cross_entropy(scores, y[chunk]) * len(chunk)
            grad_scores = softmax_cross_entropy_backward(scores, y[chunk])
            params = sgd_step(params, backward(params, memory, grad_scores), lr)
        history.append(running / count)
    return params, {"loss": history}
