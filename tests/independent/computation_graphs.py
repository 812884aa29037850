"""A second correct solution of assignment 3 (computation_graphs), written from its API only.

It implements the graded functions of the notebook from the assignment's contract, deliberately
in another style than a straightforward reference: unbroadcast by an explicit loop over the axes,
the matrix-product gradients by einsum, the elementwise derivatives with np.multiply / np.divide
into fresh buffers, the log-sum-exp through np.logaddexp.reduce, the topological order by Kahn's
algorithm (in-degree counting, no recursion), backward with a dict of gradients keyed by node id,
batch-norm backward by the long chain rule (through the variance, then the mean, then x) instead
of the compact formula, the optimizers with explicit index loops, the global norm by dot products,
and the MLP's loss assembled from the primitive Tensor operations only (the row sums of the
log-sum-exp by a product with a column of ones, the picked logits by a one-hot mask). The numbers
agree with the straightforward code to float64 rounding. The hidden tests must give it full
marks: they may only depend on the API, not on how the reference is written. Loaded by
tests/test_hidden_tests.py into a fresh namespace after the notebook's setup cells, whose given
`Tensor` class it uses.
"""

# The given Tensor class is defined by the setup cells run before this.
# ruff: noqa: F821

import numpy as np

# ---------------------------------------------------------------------------------------------
# Part 1: local backward of each operation, the order of the graph, backward
# ---------------------------------------------------------------------------------------------

def unbroadcast(grad, shape):
    """Sum grad down to `shape`: over the leading axes broadcasting added, then over every axis
    where `shape` has 1 and grad does not. Returns a new array of `shape`."""
    out = np.array(grad, dtype=float, copy=True)
    target = tuple(shape) if np.iterable(shape) else (int(shape),)
    while out.ndim > len(target):
        out = out.sum(axis=0)
    for axis in range(len(target)):
        if target[axis] == 1 and out.shape[axis] != 1:
            out = out.sum(axis=axis, keepdims=True)
    return np.array(out.reshape(target), copy=True)


def add_backward(dout, a, b):
    """d(a + b): dout to both inputs, each summed back to its own shape."""
    dout = np.asarray(dout, dtype=float)
    return unbroadcast(dout, np.shape(a)), unbroadcast(dout, np.shape(b))


def mul_backward(dout, a, b):
    """d(a * b): dout * b to a, dout * a to b, each summed back to its own shape."""
    dout = np.asarray(dout, dtype=float)
    to_a = np.multiply(dout, np.asarray(b, dtype=float))
    to_b = np.multiply(np.asarray(a, dtype=float), dout)
    return unbroadcast(to_a, np.shape(a)), unbroadcast(to_b, np.shape(b))


def matmul_backward(dout, a, b):
    """d(a @ b) for a (N, k), b (k, m), dout (N, m): (dout b^T (N, k), a^T dout (k, m))."""
    da = np.einsum("nm,km->nk", dout, b)
    db = np.einsum("nk,nm->km", a, dout)
    return da, db


def sum_backward(dout, a):
    """d(sum of a): the scalar dout in every entry, shaped like a."""
    return np.full(np.shape(a), float(np.asarray(dout).reshape(())))


def mean_backward(dout, a):
    """d(mean of a): dout / a.size in every entry, shaped like a."""
    count = np.size(a)
    return np.full(np.shape(a), float(np.asarray(dout).reshape(())) / count)


def relu_backward(dout, a):
    """d relu(a): dout where a > 0, 0 where a <= 0 (a == 0 included)."""
    a = np.asarray(a)
    da = np.zeros(np.shape(a))
    open_ = a > 0
    da[open_] = np.broadcast_to(dout, np.shape(a))[open_]
    return da


def exp_backward(dout, out):
    """d exp(a) with out = exp(a): dout * out."""
    return np.multiply(out, dout, dtype=float)


def log_backward(dout, a):
    """d log(a): dout / a."""
    return np.divide(dout, a, dtype=float)


def tanh_backward(dout, out):
    """d tanh(a) with out = tanh(a): dout * (1 - out^2)."""
    out = np.asarray(out, dtype=float)
    return np.asarray(dout, dtype=float) * (1.0 - np.square(out))


def _log_softmax(logits):
    """Row-wise log softmax, stable: log-sum-exp by np.logaddexp.reduce (never exponentiates a
    large positive number)."""
    logits = np.asarray(logits, dtype=float)
    lse = np.logaddexp.reduce(logits, axis=1, keepdims=True)
    return logits - lse


def cross_entropy(logits, y):
    """Mean over the N rows of -log softmax(logits)[i, y_i], as a Python float."""
    y = np.asarray(y).astype(int)
    logp = _log_softmax(logits)
    picked = [logp[i, y[i]] for i in range(len(y))]
    return float(-np.sum(picked) / len(y))


def cross_entropy_backward(dout, logits, y):
    """d cross_entropy / d logits (N, C): dout * (softmax - one_hot(y)) / N."""
    y = np.asarray(y).astype(int)
    n, c = np.shape(logits)
    target = np.zeros((n, c))
    target[np.arange(n), y] = 1.0
    probabilities = np.exp(_log_softmax(logits))
    scale = float(np.asarray(dout).reshape(())) / n
    return (probabilities - target) * scale


def topological_order(root):
    """Every node reachable from root once, each after all of its parents (Kahn's algorithm:
    count, for every node, how many of its children are still unplaced; place from the root
    backwards, a node as soon as all its children are placed; then reverse)."""
    nodes, children_left, stack = {}, {}, [root]
    nodes[id(root)] = root
    while stack:                                   # find every node, count its child edges
        node = stack.pop()
        for parent in node.parents:
            children_left[id(parent)] = children_left.get(id(parent), 0) + 1
            if id(parent) not in nodes:
                nodes[id(parent)] = parent
                stack.append(parent)
    ready, children_first = [root], []
    while ready:
        node = ready.pop()
        children_first.append(node)
        for parent in node.parents:
            children_left[id(parent)] -= 1
            if children_left[id(parent)] == 0:
                ready.append(parent)
    return children_first[::-1]


def backward(root):
    """root.grad = 1, then every node's local backward in reverse topological order, the
    gradients of a node used several times summed (collected in a dict first)."""
    order = topological_order(root)
    collected = {id(root): np.ones(np.shape(root.data))}
    for node in order[::-1]:
        upstream = collected.pop(id(node), None)
        if node is root:
            node.grad = upstream
        elif upstream is not None:
            node.grad = node.grad + upstream
        if node.backward_fn is None or upstream is None:
            continue
        for parent, g in zip(node.parents, node.backward_fn(node.grad if node is root else upstream)):
            key = id(parent)
            collected[key] = collected[key] + g if key in collected else g


# ---------------------------------------------------------------------------------------------
# Part 2: the MLP with loss.backward()
# ---------------------------------------------------------------------------------------------

def mlp_loss(params, X, y):
    """Mean cross-entropy of the MLP (ReLU between the layers) as a scalar Tensor, built only
    from +, -, *, @, exp, log, sum and / so that loss.backward() reaches every W and b."""
    y = np.asarray(y).astype(int)
    h = Tensor(np.asarray(X, dtype=float))
    for index, (W, b) in enumerate(params):
        h = h @ W + b
        if index < len(params) - 1:
            h = h.relu()
    logits = h
    n, c = logits.data.shape
    # A constant shift per row: log-sum-exp does not depend on it, so no gradient flows there.
    shift = Tensor(logits.data.max(axis=1, keepdims=True))
    shifted = logits - shift
    row_sums = shifted.exp() @ Tensor(np.ones((c, 1)))           # (N, 1)
    log_probs = shifted - row_sums.log()                          # (N, C)
    one_hot = np.zeros((n, c))
    one_hot[np.arange(n), y] = 1.0
    return (log_probs * Tensor(one_hot)).sum() * (-1.0 / n)


# ---------------------------------------------------------------------------------------------
# Part 3: batch normalization
# ---------------------------------------------------------------------------------------------

def batchnorm_forward(x, gamma, beta, running_mean, running_var, train, momentum=0.9, eps=1e-5):
    """Batch norm of x (N, D): batch statistics in training (biased variance, running averages
    updated), the running statistics at test time. Returns (out, cache, mean, var)."""
    x = np.asarray(x, dtype=float)
    if not train:
        scale = np.reciprocal(np.sqrt(np.asarray(running_var, dtype=float) + eps))
        out = (x - running_mean) * scale * gamma + beta
        return out, None, np.array(running_mean, copy=True), np.array(running_var, copy=True)
    n = x.shape[0]
    mu = np.einsum("nd->d", x) / n
    centred = x - mu
    var = np.einsum("nd,nd->d", centred, centred) / n
    root = np.sqrt(var + eps)
    xhat = centred / root
    out = gamma * xhat + beta
    new_mean = momentum * np.asarray(running_mean) + (1 - momentum) * mu
    new_var = momentum * np.asarray(running_var) + (1 - momentum) * var
    cache = {"x": x, "mu": mu, "var": var, "eps": eps, "gamma": np.array(gamma, dtype=float)}
    return out, cache, new_mean, new_var


def batchnorm_backward(dout, cache):
    """Gradients of the training-mode batch norm by the long chain rule:
    out = gamma xhat + beta, xhat = (x - mu) / sqrt(var + eps), var = mean((x - mu)^2),
    mu = mean(x); dx collects the direct path, the path through var and the path through mu."""
    x, mu, var, eps, gamma = cache["x"], cache["mu"], cache["var"], cache["eps"], cache["gamma"]
    n = x.shape[0]
    centred = x - mu
    inv_root = 1.0 / np.sqrt(var + eps)
    xhat = centred * inv_root
    dbeta = np.einsum("nd->d", dout)
    dgamma = np.einsum("nd,nd->d", dout, xhat)
    dxhat = dout * gamma
    dvar = np.einsum("nd,nd->d", dxhat, centred) * (-0.5) * inv_root ** 3
    dmu = -np.einsum("nd->d", dxhat) * inv_root + dvar * (-2.0 / n) * np.einsum("nd->d", centred)
    dx = dxhat * inv_root + dvar * 2.0 * centred / n + dmu / n
    return dx, dgamma, dbeta


# ---------------------------------------------------------------------------------------------
# Part 4: the research optimizers, clipping, L1
# ---------------------------------------------------------------------------------------------

def nesterov_step(params, grads, velocity, lr, beta=0.9):
    """Nesterov momentum (look-ahead form): v <- beta v - lr g, p <- p + beta v_new - lr g."""
    new_params, new_velocity = [], []
    for i in range(len(params)):
        layer_p, layer_v = [], []
        for j in range(len(params[i])):
            v = beta * velocity[i][j] - lr * grads[i][j]
            layer_v.append(v)
            layer_p.append(params[i][j] + beta * v - lr * grads[i][j])
        new_params.append(tuple(layer_p))
        new_velocity.append(tuple(layer_v))
    return new_params, new_velocity


def adagrad_step(params, grads, state, lr, eps=1e-8):
    """AdaGrad: G <- G + g^2 (summed over every step), p <- p - lr g / (sqrt(G) + eps)."""
    new_params, new_G = [], []
    for i in range(len(params)):
        layer_p, layer_G = [], []
        for j in range(len(params[i])):
            g = np.asarray(grads[i][j], dtype=float)
            G = state["G"][i][j] + g * g
            layer_G.append(G)
            layer_p.append(params[i][j] - lr * g / (np.sqrt(G) + eps))
        new_params.append(tuple(layer_p))
        new_G.append(tuple(layer_G))
    return new_params, {"G": new_G}


def rmsprop_step(params, grads, state, lr, rho=0.9, eps=1e-8):
    """RMSprop: s <- rho s + (1 - rho) g^2, p <- p - lr g / (sqrt(s) + eps)."""
    new_params, new_s = [], []
    for i in range(len(params)):
        layer_p, layer_s = [], []
        for j in range(len(params[i])):
            g = np.asarray(grads[i][j], dtype=float)
            s = rho * state["s"][i][j] + (1.0 - rho) * (g * g)
            layer_s.append(s)
            layer_p.append(params[i][j] - lr * g / (np.sqrt(s) + eps))
        new_params.append(tuple(layer_p))
        new_s.append(tuple(layer_s))
    return new_params, {"s": new_s}


def clip_by_global_norm(grads, max_norm):
    """Scale every array by max_norm / norm when the global norm exceeds max_norm, where norm is
    the square root of the sum of squares of all arrays; returns (new grads, norm)."""
    total = 0.0
    for layer in grads:
        for g in layer:
            flat = np.ravel(g)
            total += float(np.dot(flat, flat))
    norm = float(np.sqrt(total))
    factor = max_norm / norm if norm > max_norm else 1.0
    clipped = [tuple(np.multiply(g, factor) for g in layer) for layer in grads]
    return clipped, norm


def l1_penalty(params, lam):
    """lam times the sum of |W| over the weights (biases excluded), as a Python float."""
    total = 0.0
    for W, _ in params:
        total += float(np.abs(np.ravel(W)).sum())
    return float(lam * total)


def l1_gradient(params, lam):
    """Subgradient of l1_penalty: lam * sign(W) (0 at W == 0), zeros for the biases."""
    grads = []
    for W, b in params:
        W = np.asarray(W, dtype=float)
        dW = np.zeros(W.shape)
        dW[W > 0] = lam
        dW[W < 0] = -lam
        grads.append((dW, np.zeros(np.shape(b))))
    return grads
