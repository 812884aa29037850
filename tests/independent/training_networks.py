"""A second correct solution of assignment 2 (training_networks), written from its API only.

It implements the graded functions of the notebook from the assignment's contract, deliberately
in another style than the reference: boolean masks and in-place filling where one would reach for
np.where, np.where where one would use a comparison, np.logaddexp for the soft-plus term of the
binary cross-entropy, dot products for sums of squares, explicit loops over layers and over the
(W, b) arrays of a layer, batches cut with np.split. The numbers agree with the straightforward
code to float64 rounding. The hidden tests must give it full marks: they may only depend on the
API, not on how the reference is written. Loaded by tests/test_hidden_tests.py into a fresh
namespace after the notebook's setup cells, whose given helpers (sigmoid, softmax_cross_entropy,
softmax_cross_entropy_backward, forward, backward, init_state, optimizer_step, ...) it uses.
"""

# The given helpers (sigmoid, forward, backward, ...) are defined by the setup cells run before this.
# ruff: noqa: F821

import numpy as np

# ---------------------------------------------------------------------------------------------
# Part 1: activations and their derivatives
# ---------------------------------------------------------------------------------------------

def tanh_forward(Z):
    """Hyperbolic tangent of every entry, as a new array."""
    values = np.asarray(Z)
    return np.tanh(values)


def tanh_backward(dA, Z):
    """Gradient through tanh: dA times 1 - tanh(Z)^2."""
    t = np.tanh(Z)
    return dA * (1.0 - t * t)


def leaky_relu_forward(Z, alpha=0.01):
    """Leaky ReLU: Z where Z > 0, alpha * Z elsewhere."""
    Z = np.asarray(Z)
    slope = np.where(Z > 0, 1.0, alpha).astype(np.result_type(Z, 1.0), copy=False)
    return Z * slope


def leaky_relu_backward(dA, Z, alpha=0.01):
    """Gradient through leaky ReLU: slope 1 where Z > 0, alpha where Z <= 0 (Z == 0 included)."""
    Z = np.asarray(Z)
    slope = np.full(Z.shape, alpha, dtype=float)
    slope[Z > 0] = 1.0
    return dA * slope


def elu_forward(Z, alpha=1.0):
    """ELU: Z where Z > 0, alpha * (exp(Z) - 1) elsewhere; exp only ever sees Z <= 0."""
    Z = np.asarray(Z)
    out = np.array(Z, dtype=np.result_type(Z, 1.0), copy=True)
    rest = ~(Z > 0)
    out[rest] = alpha * (np.exp(Z[rest]) - 1.0)
    return out


def elu_backward(dA, Z, alpha=1.0):
    """Gradient through ELU: slope 1 where Z > 0, alpha * exp(Z) elsewhere (alpha at Z == 0)."""
    Z = np.asarray(Z)
    slope = np.ones(Z.shape, dtype=np.result_type(Z, 1.0))
    rest = ~(Z > 0)
    slope[rest] = alpha * np.exp(Z[rest])
    return dA * slope


# ---------------------------------------------------------------------------------------------
# Part 2: losses
# ---------------------------------------------------------------------------------------------

def bce_with_logits(z, y):
    """Mean binary cross-entropy of logits z against 0/1 labels y, stable, as a Python float."""
    z = np.asarray(z, dtype=float)
    positive_part = np.where(z > 0, z, 0.0)
    # log(1 + exp(-|z|)): logaddexp(0, -|z|) never exponentiates a positive number.
    softplus_tail = np.logaddexp(0.0, -np.abs(z))
    per_example = positive_part - z * y + softplus_tail
    return float(per_example.sum() / per_example.size)


def bce_with_logits_backward(z, y):
    """Gradient of bce_with_logits with respect to z: (sigmoid(z) - y) / N."""
    residual = np.subtract(sigmoid(z), y)
    return residual / np.shape(z)[0]


def mse(y_pred, y):
    """Mean over every entry of the squared error, as a Python float."""
    diff = np.subtract(y_pred, y).ravel()
    return float(np.dot(diff, diff) / diff.size)


def mse_backward(y_pred, y):
    """Gradient of mse with respect to y_pred: 2 (y_pred - y) / y_pred.size."""
    diff = np.subtract(y_pred, y)
    return (diff + diff) / np.size(y_pred)


# ---------------------------------------------------------------------------------------------
# Part 3: initialization and regularization
# ---------------------------------------------------------------------------------------------

def init_params(layer_sizes, rng, scheme="standard"):
    """One (W, b) per layer: W standard normal times the scheme's scale, b filled with 0.1."""
    if scheme not in ("standard", "lecun", "he"):
        raise ValueError(f"unknown initialization scheme {scheme!r}: use 'standard', 'lecun' or 'he'")
    variance_numerator = {"standard": None, "lecun": 1.0, "he": 2.0}[scheme]
    sizes = list(layer_sizes)
    params = []
    for layer in range(1, len(sizes)):
        c_in, c_out = sizes[layer - 1], sizes[layer]
        W = rng.standard_normal((c_in, c_out))
        if variance_numerator is not None:
            W = W * np.sqrt(variance_numerator / c_in)
        b = 0.1 * np.ones(c_out)
        params.append((W, b))
    return params


def dropout_forward(A, keep_prob, rng, train=True):
    """Inverted dropout: (A * mask, mask) in training, (copy of A, None) at test time."""
    if not train:
        return np.array(A, copy=True), None
    draws = rng.random(np.shape(A))
    mask = np.where(draws < keep_prob, 1.0 / keep_prob, 0.0)
    return A * mask, mask


def dropout_backward(dOut, mask):
    """Gradient through dropout: the upstream gradient times the same mask."""
    return np.multiply(mask, dOut)


def l2_penalty(params, lam):
    """lam / 2 times the sum of the squared weights (biases excluded), as a Python float."""
    squares = 0.0
    for W, _ in params:
        flat = np.ravel(W)
        squares += float(np.dot(flat, flat))
    return float(lam * squares / 2)


def l2_gradient(params, lam):
    """Gradient of l2_penalty: lam * W for the weights, zeros for the biases."""
    grads = []
    for W, b in params:
        grads.append((np.multiply(W, lam), np.zeros(np.shape(b), dtype=np.asarray(b).dtype)))
    return grads


# ---------------------------------------------------------------------------------------------
# Part 4: optimizers as update rules with explicit state
# ---------------------------------------------------------------------------------------------

def momentum_step(params, grads, velocity, lr, beta=0.9):
    """One momentum step: v <- beta v - lr g, p <- p + v; returns (new params, new velocity)."""
    new_params, new_velocity = [], []
    for layer, grad, vel in zip(params, grads, velocity):
        moved = tuple(beta * v - lr * g for g, v in zip(grad, vel))
        new_velocity.append(moved)
        new_params.append(tuple(p + dv for p, dv in zip(layer, moved)))
    return new_params, new_velocity


def adam_step(params, grads, state, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    """One Adam step with bias correction; returns (new params, {"t", "m", "v"})."""
    t = state["t"] + 1
    correction1 = 1 - beta1 ** t
    correction2 = 1 - beta2 ** t
    result = {"params": [], "m": [], "v": []}
    for index in range(len(params)):
        arrays = zip(params[index], grads[index], state["m"][index], state["v"][index])
        layer = {"params": [], "m": [], "v": []}
        for p, g, m, v in arrays:
            m_new = beta1 * m + (1 - beta1) * g
            v_new = beta2 * v + (1 - beta2) * np.square(g)
            m_hat, v_hat = m_new / correction1, v_new / correction2
            layer["params"].append(p - lr * m_hat / (np.sqrt(v_hat) + eps))
            layer["m"].append(m_new)
            layer["v"].append(v_new)
        for key in result:
            result[key].append(tuple(layer[key]))
    return result["params"], {"t": t, "m": result["m"], "v": result["v"]}


# ---------------------------------------------------------------------------------------------
# Part 5: training with an optimizer
# ---------------------------------------------------------------------------------------------

def train(X, y, layer_sizes, optimizer, epochs, batch_size, seed, init="he", activation="relu",
          keep_prob=1.0, lam=0.0):
    """Mini-batch training with the given optimizer, dropout and L2; returns (params, history)."""
    rng = np.random.default_rng(seed)
    params = init_params(layer_sizes, rng, init)
    state = init_state(optimizer, params)
    n = X.shape[0]
    epoch_losses = []
    epoch = 0
    while epoch < epochs:
        order = rng.permutation(n)
        weighted = []
        # Consecutive slices of batch_size; only the last one may be smaller.
        for batch in np.split(order, np.arange(batch_size, n, batch_size)):
            X_batch, y_batch = X[batch], y[batch]
            logits, cache = forward(params, X_batch, activation, keep_prob, rng)
            batch_loss = softmax_cross_entropy(logits, y_batch) + l2_penalty(params, lam)
            weighted.append(batch_loss * batch.size)
            dlogits = softmax_cross_entropy_backward(logits, y_batch)
            data_grads = backward(params, cache, dlogits, activation)
            decay = l2_gradient(params, lam)
            grads = []
            for layer in range(len(data_grads)):
                grads.append(tuple(np.add(d, g) for d, g in zip(data_grads[layer], decay[layer])))
            params, state = optimizer_step(optimizer, params, grads, state)
        epoch_losses.append(sum(weighted) / n)
        epoch += 1
    return params, {"loss": epoch_losses}
