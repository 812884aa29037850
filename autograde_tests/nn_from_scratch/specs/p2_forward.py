"""Part 2: sigmoid, initialization, linear layer, ReLU, forward pass, softmax, loss, prediction."""

from __future__ import annotations

import numpy as np

from autograde_tests import inputs
from autograde_tests.compare import Fail, close, expect_array, expect_float, expect_unchanged
from autograde_tests.contract import RngSeed, StudentRaised
from autograde_tests.engine import check
from autograde_tests.probes import column_softmax, overflow_guard, plant_extreme_row

#: The lecture's hand-set XOR network (W1, b1, W2, b2); its outputs are ~4.5e-5 / 0.99995.
XOR_NET = (np.array([[20.0, -20.0], [-20.0, 20.0]]), np.array([-10.0, -10.0]),
           np.array([[20.0], [20.0]]), np.array([-10.0]))
XOR_INPUTS = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])


# ---------------------------------------------------------------- sigmoid
@check("sigmoid.values", function="sigmoid", points=2,
       description="element-wise values on random inputs and the XOR network table")
def sigmoid_values(ctx) -> None:
    for shape in ((3, 4), (5,), (1, 1)):
        Z = inputs.normal(ctx.rng, *shape, scale=4)
        answer = ctx.student.call("sigmoid", (Z,), return_args=True)
        expect_unchanged((Z,), answer.args_after, ("Z",),
                         hint="compute 1 / (1 + np.exp(-Z)) into a new array, never write into Z")
        if close(answer.value, 1 / (1 + np.exp(Z))):
            raise Fail("sigmoid(z) came out as 1 / (1 + exp(+z)): the exponent needs a minus sign",
                       "sign of the exponent")
        expect_array(answer.value, ctx.ref.sigmoid(Z), "sigmoid(Z)", type_name=answer.type_name)
    W1, b1, W2, b2 = XOR_NET
    hidden = ctx.student.call("sigmoid", (XOR_INPUTS @ W1 + b1,)).value
    expect_array(hidden, ctx.ref.sigmoid(XOR_INPUTS @ W1 + b1), "XOR hidden layer")
    out = ctx.student.call("sigmoid", (hidden @ W2 + b2,)).value
    expect_array(out, ctx.ref.sigmoid(ctx.ref.sigmoid(XOR_INPUTS @ W1 + b1) @ W2 + b2),
                 "XOR network output")


@check("sigmoid.stable", function="sigmoid", points=2,
       description="no overflow and exact limits for |Z| ~ 1e3")
def sigmoid_stable(ctx) -> None:
    Z = np.concatenate([ctx.rng.uniform(500, 1000, 3), -ctx.rng.uniform(500, 1000, 3),
                        [-1000.0, 1000.0, 0.0]]).reshape(3, 3)
    answer = overflow_guard(ctx, "sigmoid", (Z,),
                             "for z < 0 compute exp(z) / (1 + exp(z)) instead of 1 / (1 + exp(-z))")
    expect_array(answer.value, ctx.ref.sigmoid(Z), "sigmoid(Z)", type_name=answer.type_name)


# ---------------------------------------------------------------- init_params
def _init(ctx, sizes: list[int], seed: int):
    value = ctx.student.call("init_params", (sizes, RngSeed(seed))).value
    if not isinstance(value, list | tuple) or len(value) != len(sizes) - 1:
        raise Fail(f"init_params({sizes}) must return a list of {len(sizes) - 1} (W, b) tuples, "
                   f"got {type(value).__name__} of length {len(value) if isinstance(value, list | tuple) else '-'}")
    for layer in value:
        if not isinstance(layer, list | tuple) or len(layer) != 2:
            raise Fail("every layer of params must be a tuple (W, b)")
    return value


@check("init_params.shapes", function="init_params", points=2,
       description="W of shape (c_in, c_out), b of shape (c_out,) filled with 0.1")
def init_shapes(ctx) -> None:
    for sizes in ([3, 5, 2], [2, 4, 4, 3], [1, 1]):
        params = _init(ctx, sizes, int(ctx.rng.integers(2**31)))
        for i, ((W, b), c_in, c_out) in enumerate(zip(params, sizes[:-1], sizes[1:]), start=1):
            if np.shape(W) == (c_out, c_in) and c_in != c_out:
                raise Fail(f"W_{i} has shape {np.shape(W)}, expected (c_in, c_out) = "
                           f"({c_in}, {c_out})", "W transposed")
            if not isinstance(W, np.ndarray) or W.shape != (c_in, c_out):
                raise Fail(f"W_{i} has shape {np.shape(W)}, expected ({c_in}, {c_out})")
            if np.shape(b) != (c_out,):
                raise Fail(f"b_{i} has shape {np.shape(b)}, expected the 1-D shape ({c_out},)")
            if close(b, np.zeros(c_out)):
                raise Fail(f"b_{i} is all zeros; every bias entry starts at 0.1", "bias not 0.1")
            expect_array(b, np.full(c_out, 0.1), f"b_{i}")


@check("init_params.rng", function="init_params", points=2,
       description="W ~ N(0, 1) drawn from the given generator, layer by layer")
def init_rng(ctx) -> None:
    sizes = [3, 6, 4, 2]
    seed = int(ctx.rng.integers(2**31))
    params = _init(ctx, sizes, seed)
    expected = ctx.ref.init_params(sizes, np.random.default_rng(seed))
    for i, ((W, _), (exp_W, _)) in enumerate(zip(params, expected), start=1):
        if np.shape(W) == exp_W.T.shape:
            raise Fail(f"W_{i} has shape {np.shape(W)}, expected (c_in, c_out) = {exp_W.shape}",
                       "W transposed")
        if isinstance(W, np.ndarray) and W.shape == exp_W.shape and close(W * np.sqrt(sizes[i - 1]), exp_W):
            raise Fail(f"W_{i} is scaled by 1/sqrt(c_in); this assignment uses W ~ N(0, 1) "
                       "without scaling", "scaled initialization")
        expect_array(W, exp_W, f"W_{i}")


# ---------------------------------------------------------------- linear and ReLU
@check("linear_forward.values", function="linear_forward", points=5,
       description="Z = X W + b for several shapes incl. N = 1 and non-square W")
def linear_forward_values(ctx) -> None:
    for n, c_in, c_out in inputs.LAYER_CASES:
        X, W, b = (inputs.normal(ctx.rng, n, c_in), inputs.normal(ctx.rng, c_in, c_out),
                   inputs.normal(ctx.rng, c_out))
        try:
            answer = ctx.student.call("linear_forward", (X, W, b), return_args=True)
        except StudentRaised as exc:
            if exc.exc_type == "ValueError" and c_in != c_out:
                raise Fail(f"linear_forward raised {exc.message} for X {X.shape}, W {W.shape}: "
                           "compute X @ W (W has shape (c_in, c_out))", "W transposed") from None
            raise
        expect_unchanged((X, W, b), answer.args_after, ("X", "W", "b"),
        hint='return X @ W + b, a new array; never write into X, W or b')
        if close(answer.value, X @ W):
            raise Fail("the bias b is missing: Z = X @ W + b", "bias missing")
        expect_array(answer.value, ctx.ref.linear_forward(X, W, b), "Z",
                     type_name=answer.type_name)


@check("relu_forward.values", function="relu_forward", points=3,
       description="max(0, z) element-wise, exact zeros included, input unchanged")
def relu_forward_values(ctx) -> None:
    for shape in ((3, 4), (1, 5), (6,)):
        Z = inputs.with_exact_zeros(ctx.rng, *shape)
        answer = ctx.student.call("relu_forward", (Z,), return_args=True)
        expect_unchanged((Z,), answer.args_after, ("Z",),
                         hint="return np.maximum(Z, 0), a new array, instead of Z[Z < 0] = 0")
        expect_array(answer.value, ctx.ref.relu_forward(Z), "A", type_name=answer.type_name)


# ---------------------------------------------------------------- forward
_FORWARD_DEPS = ("linear_forward", "relu_forward")


def _substitutes(ctx, names) -> dict:
    return {name: getattr(ctx.ref, name) for name in names}


def _forward(ctx, sizes):
    params = inputs.params_for(ctx.ref, sizes, ctx.rng)
    X = inputs.normal(ctx.rng, int(ctx.rng.integers(1, 6)), sizes[0])
    answer = ctx.student.call("forward", (params, X), return_args=True,
                              substitute=_substitutes(ctx, _FORWARD_DEPS))
    expect_unchanged((params, X), answer.args_after, ("params", "X"),
                     hint="keep params and X as they are: every layer's output is a new array")
    value = answer.value
    if not isinstance(value, tuple | list) or len(value) != 2:
        raise Fail(f"forward must return a tuple (logits, cache), got {type(value).__name__}")
    return params, X, value[0], value[1]


@check("forward.logits", function="forward", points=5,
       description="logits of 1- to 3-layer networks, ReLU between layers but not after the last")
def forward_logits(ctx) -> None:
    for sizes in inputs.NETWORKS:
        params, X, logits, _ = _forward(ctx, sizes)
        expected, _ = ctx.ref.forward(params, X)
        if close(logits, np.maximum(expected, 0)) and not close(logits, expected):
            raise Fail("ReLU was applied after the last layer too; the logits come straight from "
                       "the last linear layer", "ReLU after the last layer")
        expect_array(logits, expected, "logits")


@check("forward.cache", function="forward", points=3,
       description="cache is a list of (A_prev, Z) per layer, in layer order")
def forward_cache(ctx) -> None:
    for sizes in inputs.NETWORKS[1:]:
        params, X, _, cache = _forward(ctx, sizes)
        _, expected = ctx.ref.forward(params, X)
        if not isinstance(cache, list | tuple) or len(cache) != len(expected):
            raise Fail(f"cache must be a list with one (A_prev, Z) tuple per layer "
                       f"({len(expected)} here), got {type(cache).__name__}")
        if all(isinstance(e, list | tuple) and len(e) == 2 for e in cache):
            if all(close(c[0], e[0]) and close(c[1], e[1]) for c, e in zip(cache[::-1], expected)):
                raise Fail("cache is in reverse order: cache[0] must belong to the first layer",
                           "cache in the wrong order")
            if all(close(c[0], e[1]) and close(c[1], e[0]) for c, e in zip(cache, expected)):
                raise Fail("cache entries are (Z, A_prev); store (A_prev, Z)",
                           "cache in the wrong order")
        for i, (entry, (exp_A, exp_Z)) in enumerate(zip(cache, expected)):
            if not isinstance(entry, list | tuple) or len(entry) != 2:
                raise Fail(f"cache[{i}] must be a tuple (A_prev, Z)")
            expect_array(entry[0], exp_A, f"cache[{i}][0] (A_prev)")
            if i < len(expected) - 1 and close(entry[1], np.maximum(exp_Z, 0)) and not close(entry[1], exp_Z):
                raise Fail(f"cache[{i}][1] holds the ReLU output; store Z before the ReLU",
                           "cache holds activations instead of Z")
            expect_array(entry[1], exp_Z, f"cache[{i}][1] (Z)")


# ---------------------------------------------------------------- softmax and loss
def _logits(ctx, scale: float = 3.0, min_n: int = 1):
    n, k = int(ctx.rng.integers(min_n, 7)), int(ctx.rng.integers(2, 6))
    return inputs.normal(ctx.rng, n, k, scale=scale)


def _softmax_axis_probe(got, logits: np.ndarray, expected: np.ndarray) -> None:
    """Column-wise normalization (for N = 1 that is all ones) is diagnosed."""
    if close(got, column_softmax(logits)) and not close(got, expected):
        raise Fail("softmax normalizes the columns; every row (axis=1) must sum to 1",
                   "softmax over the wrong axis")


@check("softmax.values", function="softmax", points=3,
       description="row-wise probabilities for random logits incl. N = 1")
def softmax_values(ctx) -> None:
    for logits in (_logits(ctx), _logits(ctx), inputs.normal(ctx.rng, 1, 4), inputs.normal(ctx.rng, 5, 3)):
        answer = ctx.student.call("softmax", (logits,), return_args=True)
        expect_unchanged((logits,), answer.args_after, ("logits",),
        hint='subtract the row maximum into a new array instead of changing logits (logits -= ...)')
        expected = ctx.ref.softmax(logits)
        _softmax_axis_probe(answer.value, logits, expected)
        expect_array(answer.value, expected, "P", type_name=answer.type_name)


@check("softmax.stable", function="softmax", points=3,
       description="no overflow for logits ~ 1e3 to 1e4")
def softmax_stable(ctx) -> None:
    logits = _logits(ctx, scale=1.0) * ctx.rng.uniform(1e3, 1e4)
    plant_extreme_row(ctx, logits)
    answer = overflow_guard(ctx, "softmax", (logits,), "subtract the row maximum before exp")
    expected = ctx.ref.softmax(logits)
    _softmax_axis_probe(answer.value, logits, expected)
    expect_array(answer.value, expected, "P", type_name=answer.type_name)


@check("softmax_cross_entropy.values", function="softmax_cross_entropy", points=4,
       description="mean loss as a float, labels of several integer dtypes")
def sce_values(ctx) -> None:
    for i, dtype in enumerate(inputs.LABEL_DTYPES):
        logits = _logits(ctx, min_n=2 if i == 0 else 1)  # one batch with N > 1 for certain
        y = inputs.labels(ctx.rng, logits.shape[0], logits.shape[1], dtype)
        answer = ctx.student.call("softmax_cross_entropy", (logits, y), return_args=True,
                                  substitute=_substitutes(ctx, ("softmax",)))
        expect_unchanged((logits, y), answer.args_after, ("logits", "y"),
        hint='subtract the row maximum into a new array (shifted = logits - ...), never logits -= ...')
        expected = ctx.ref.softmax_cross_entropy(logits, y)
        got = answer.value
        if isinstance(got, float) and len(y) > 1 and np.isclose(got, expected * len(y)):
            raise Fail("the loss is summed over the batch; return the mean", "sum instead of mean")
        if isinstance(got, float) and np.isclose(got, -expected) and expected != 0:
            raise Fail("the loss has the wrong sign: it is -log p_y, a positive number",
                       "wrong sign")
        expect_float(got, expected, f"loss (y of dtype {np.dtype(dtype).name})",
                     type_name=answer.type_name)


@check("softmax_cross_entropy.stable", function="softmax_cross_entropy", points=3,
       description="finite, correct loss for logits ~ 1e3 to 1e4 (log-sum-exp)")
def sce_stable(ctx) -> None:
    logits = _logits(ctx, scale=1.0, min_n=2) * ctx.rng.uniform(1e3, 1e4)
    y = inputs.labels(ctx.rng, logits.shape[0], logits.shape[1])
    row, top = plant_extreme_row(ctx, logits)
    k = logits.shape[1]
    y[row] = (top + 1 + int(ctx.rng.integers(k - 1))) % k  # its label's probability is 0.0
    answer = overflow_guard(ctx, "softmax_cross_entropy", (logits, y),
                             "use log-sum-exp with the row maximum subtracted",
                             substitute=_substitutes(ctx, ("softmax",)))
    expected = ctx.ref.softmax_cross_entropy(logits, y)
    if isinstance(answer.value, float) and np.isclose(answer.value, expected * len(y)):
        raise Fail("the loss is summed over the batch; return the mean", "sum instead of mean")
    expect_float(answer.value, expected, "loss", type_name=answer.type_name)


@check("predict.values", function="predict", points=3,
       description="argmax labels of shape (N,) with an integer dtype")
def predict_values(ctx) -> None:
    for sizes in inputs.NETWORKS:
        params = inputs.params_for(ctx.ref, sizes, ctx.rng)
        X = inputs.normal(ctx.rng, int(ctx.rng.integers(1, 8)), sizes[0])
        answer = ctx.student.call("predict", (params, X), return_args=True,
                                  substitute=_substitutes(ctx, ("forward", *_FORWARD_DEPS)))
        expect_unchanged((params, X), answer.args_after, ("params", "X"),
                         hint="keep params and X as they are")
        got = answer.value
        if isinstance(got, np.ndarray) and got.shape == (X.shape[0], sizes[-1]) and sizes[-1] > 1:
            raise Fail("predict returned one score per class; return the label with the "
                       "largest logit (np.argmax over axis=1)", "scores instead of labels")
        if isinstance(got, np.ndarray) and got.dtype.kind not in "iu":
            raise Fail(f"predict must return integer labels, got dtype {got.dtype}: np.argmax gives "
                       "integers; do not convert them", "float labels")
        expect_array(got, ctx.ref.predict(params, X), "y_pred", type_name=answer.type_name)


@check("accuracy.values", function="accuracy", points=2,
       description="fraction of correct labels as a float, several label dtypes")
def accuracy_values(ctx) -> None:
    for dtype in inputs.LABEL_DTYPES:
        n = int(ctx.rng.integers(1, 30))
        y = inputs.labels(ctx.rng, n, 3, dtype)
        y_pred = np.where(ctx.rng.random(n) < 0.6, y, inputs.labels(ctx.rng, n, 3, dtype))
        answer = ctx.student.call("accuracy", (y_pred, y), return_args=True)
        expect_unchanged((y_pred, y), answer.args_after, ("y_pred", "y"),
        hint='compare with np.mean(y_pred == y), without changing y_pred or y')
        expected = ctx.ref.accuracy(y_pred, y)
        if isinstance(answer.value, int | float) and expected > 0 and np.isclose(answer.value, expected * n) and n > 1:
            raise Fail("accuracy returned the number of correct labels; return the fraction",
                       "count instead of fraction")
        expect_float(answer.value, expected, "accuracy", type_name=answer.type_name)
