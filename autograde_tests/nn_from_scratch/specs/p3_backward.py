"""Part 3: backward passes and the numerical gradient.

Points come from comparing with the reference (other student functions replaced by the
reference). When a backward check fails, a numerical gradient of the student's *own* forward is
computed as well; it only adds to the message: "your backward does not match your own forward"
versus "it matches your forward, so your forward is wrong too".
"""

from __future__ import annotations

import numpy as np

from autograde_tests import inputs
from autograde_tests.compare import Fail, close, expect_array, expect_unchanged
from autograde_tests.contract import Callback, StudentRaised
from autograde_tests.engine import check
from autograde_tests.probes import (
    column_softmax,
    overflow_guard,
    own_forward_note,
    plant_extreme_row,
    scalar,
    with_note,
)

#: Tolerance of numerical_gradient against the exact gradient of a smooth test function.
NUMGRAD_RTOL = 1e-6
NUMGRAD_ATOL = 1e-8


# ---------------------------------------------------------------- linear layer
def _linear_case(ctx, case):
    n, c_in, c_out = case
    dZ, X, W = (inputs.normal(ctx.rng, n, c_out), inputs.normal(ctx.rng, n, c_in),
                inputs.normal(ctx.rng, c_in, c_out))
    answer = ctx.student.call("linear_backward", (dZ, X, W), return_args=True)
    expect_unchanged((dZ, X, W), answer.args_after, ("dZ", "X", "W"),
        hint='compute dZ @ W.T, X.T @ dZ and dZ.sum(axis=0), all new arrays')
    value = answer.value
    if not isinstance(value, tuple | list) or len(value) != 3:
        raise Fail(f"linear_backward must return a tuple (dX, dW, db), got {type(value).__name__}")
    return dZ, X, W, value


def _linear_note(ctx, dZ, X, W, got, which: str) -> str:
    b = np.zeros(W.shape[1])

    def f_of(arg: str):
        def f(v):
            args = {"X": X, "W": W, "b": b, arg: v}
            out = ctx.student.call("linear_forward", (args["X"], args["W"], args["b"])).value
            return float(np.sum(np.asarray(out, dtype=float) * dZ))
        return f

    x = {"dX": X, "dW": W, "db": b}[which]
    return own_forward_note(ctx, got, f_of(which[1:]), x, which, "linear_forward")


def _linear_check(ctx, which: str) -> None:
    for case in inputs.LAYER_CASES:
        dZ, X, W, got_all = _linear_case(ctx, case)
        exp = dict(zip(("dX", "dW", "db"), ctx.ref.linear_backward(dZ, X, W)))
        got = dict(zip(("dX", "dW", "db"), got_all))[which]
        n, c_in, c_out = case
        try:
            if which == "dW" and np.shape(got) == (c_out, c_in) and c_in != c_out:
                raise Fail(f"dW has shape {np.shape(got)}, expected (c_in, c_out) = ({c_in}, {c_out}): "
                           "dW = X.T @ dZ", "dW transposed")
            if which == "db" and np.shape(got) == (n, c_out) and n > 1:
                raise Fail(f"db has shape {np.shape(got)}: every example contributes, so sum dZ over the "
                           "batch (axis=0)", "bias gradient not summed over the batch")
            if which == "db" and n > 1 and close(got, dZ.mean(axis=0)):
                raise Fail("db is the mean of dZ over the batch; it is the sum",
                           "bias gradient averaged instead of summed")
            expect_array(got, exp[which], which)
        except Fail as fail:
            raise with_note(fail, _linear_note(ctx, dZ, X, W, got, which)) from None


@check("linear_backward.dX", function="linear_backward", points=3,
       description="dX = dZ W^T for several shapes, inputs unchanged")
def linear_backward_dx(ctx) -> None:
    _linear_check(ctx, "dX")


@check("linear_backward.dW", function="linear_backward", points=3,
       description="dW = X^T dZ for several shapes")
def linear_backward_dw(ctx) -> None:
    _linear_check(ctx, "dW")


@check("linear_backward.db", function="linear_backward", points=2,
       description="db = sum of dZ over the batch")
def linear_backward_db(ctx) -> None:
    _linear_check(ctx, "db")


# ---------------------------------------------------------------- ReLU
def _relu_note(ctx, dA, Z, got) -> str:
    def f(v):
        return float(np.sum(np.asarray(ctx.student.call("relu_forward", (v,)).value, float) * dA))
    return own_forward_note(ctx, got, f, Z, "dZ", "relu_forward")


@check("relu_backward.values", function="relu_backward", points=3,
       description="gradient passes where Z > 0 (inputs away from 0), inputs unchanged")
def relu_backward_values(ctx) -> None:
    for shape in ((4, 3), (1, 6), (5,)):
        dA, Z = inputs.normal(ctx.rng, *shape), inputs.without_zeros(ctx.rng, *shape)
        answer = ctx.student.call("relu_backward", (dA, Z), return_args=True)
        expect_unchanged((dA, Z), answer.args_after, ("dA", "Z"),
        hint='multiply dA by the 0/1 mask of Z > 0 into a new array instead of zeroing entries of dA')
        got = answer.value
        expected = ctx.ref.relu_backward(dA, Z)
        try:
            # All-negative Z (likely for the small shapes) makes both products zero: no diagnosis.
            if close(got, dA * np.maximum(Z, 0)) and not close(got, expected):
                raise Fail("dZ was multiplied by the ReLU output; multiply dA by the mask (Z > 0)",
                           "ReLU backward uses the output instead of the mask")
            expect_array(got, expected, "dZ", type_name=answer.type_name)
        except Fail as fail:
            raise with_note(fail, _relu_note(ctx, dA, Z, got)) from None


@check("relu_backward.at-zero", function="relu_backward", points=2,
       description="no gradient where Z == 0 exactly (ReLU'(0) = 0)")
def relu_backward_zero(ctx) -> None:
    dA, Z = inputs.normal(ctx.rng, 5, 4), inputs.with_exact_zeros(ctx.rng, 5, 4)
    answer = ctx.student.call("relu_backward", (dA, Z))
    expected = ctx.ref.relu_backward(dA, Z)
    if close(answer.value, dA * (Z >= 0)) and not close(answer.value, expected):
        raise Fail("at Z == 0 the gradient was passed through; use Z > 0 (not >= 0): ReLU'(0) = 0",
                   "ReLU backward uses >= 0")
    if close(answer.value, dA * np.maximum(Z, 0)) and not close(answer.value, expected):
        raise Fail("dZ was multiplied by the ReLU output; multiply dA by the mask (Z > 0)",
                   "ReLU backward uses the output instead of the mask")
    expect_array(answer.value, expected, "dZ", type_name=answer.type_name)


# ---------------------------------------------------------------- softmax cross-entropy
def _sce_note(ctx, logits, y, got) -> str:
    def f(v):
        return scalar(ctx.student.call("softmax_cross_entropy", (v, y)))
    return own_forward_note(ctx, got, f, logits, "dlogits", "softmax_cross_entropy")


def _sce_backward_probes(got, logits, y, expected) -> None:
    """Diagnoses shared by both softmax_cross_entropy_backward checks."""
    if close(got, expected * len(y)) and not close(got, expected):
        raise Fail("dlogits is N times too large: the loss is a mean, so divide by the batch size N",
                   "missing 1/N in the loss gradient")
    wrong_axis = column_softmax(logits)
    wrong_axis[np.arange(len(y)), y] -= 1.0
    if close(got, wrong_axis / len(y)) and not close(got, expected):
        raise Fail("dlogits was computed with a softmax that normalizes the columns; every row of "
                   "softmax(logits) must sum to 1 (axis=1)", "softmax over the wrong axis")


def _own_softmax(ctx) -> dict:
    """A softmax_cross_entropy_backward that calls `softmax` gets the reference one: a bug in the
    student's softmax costs softmax's points only (one bug, its own points)."""
    return {"softmax": ctx.ref.softmax}


@check("softmax_cross_entropy_backward.values", function="softmax_cross_entropy_backward", points=5,
       description="(softmax - onehot) / N, labels of several dtypes, inputs unchanged")
def sce_backward_values(ctx) -> None:
    for dtype in inputs.LABEL_DTYPES:
        n, k = int(ctx.rng.integers(2, 7)), int(ctx.rng.integers(2, 5))
        logits, y = inputs.normal(ctx.rng, n, k, scale=2), inputs.labels(ctx.rng, n, k, dtype)
        answer = ctx.student.call("softmax_cross_entropy_backward", (logits, y), return_args=True,
                                  substitute=_own_softmax(ctx))
        expect_unchanged((logits, y), answer.args_after, ("logits", "y"),
        hint='start from P = softmax(logits), a new array, and change P, never logits')
        expected = ctx.ref.softmax_cross_entropy_backward(logits, y)
        got = answer.value
        try:
            _sce_backward_probes(got, logits, y, expected)
            if close(got, -expected):
                raise Fail("dlogits has the wrong sign: it is softmax(logits) - onehot(y)", "wrong sign")
            expect_array(got, expected, "dlogits", type_name=answer.type_name)
        except Fail as fail:
            raise with_note(fail, _sce_note(ctx, logits, y, got)) from None


@check("softmax_cross_entropy_backward.stable", function="softmax_cross_entropy_backward", points=2,
       description="finite, correct gradient for logits ~ 1e3 to 1e4")
def sce_backward_stable(ctx) -> None:
    logits = inputs.normal(ctx.rng, 4, 3) * ctx.rng.uniform(1e3, 1e4)
    y = inputs.labels(ctx.rng, 4, 3)
    row, top = plant_extreme_row(ctx, logits)
    k = logits.shape[1]
    y[row] = (top + 1 + int(ctx.rng.integers(k - 1))) % k  # a gradient of -1/N there, not 0
    answer = overflow_guard(ctx, "softmax_cross_entropy_backward", (logits, y),
                            "compute the softmax with the row maximum subtracted",
                            substitute=_own_softmax(ctx))
    expected = ctx.ref.softmax_cross_entropy_backward(logits, y)
    _sce_backward_probes(answer.value, logits, y, expected)
    expect_array(answer.value, expected, "dlogits", type_name=answer.type_name)


# ---------------------------------------------------------------- backward through the network
_BACKWARD_DEPS = ("linear_backward", "relu_backward")


def _backward_case(ctx, sizes):
    params = inputs.params_for(ctx.ref, sizes, ctx.rng)
    X = inputs.normal(ctx.rng, int(ctx.rng.integers(1, 6)), sizes[0])
    logits, cache = ctx.ref.forward(params, X)
    dlogits = inputs.normal(ctx.rng, *logits.shape)
    try:
        answer = ctx.student.call("backward", (params, cache, dlogits), return_args=True,
                                  substitute={n: getattr(ctx.ref, n) for n in _BACKWARD_DEPS})
    except StudentRaised as exc:
        if exc.exc_type == "ValueError" and len(params) > 1:
            raise Fail(f"backward raised {exc.message}: it hands a layer the cache entry of another "
                       "layer (the shapes do not fit). Layer i takes linear_backward(dZ, cache[i][0], "
                       "W_i), and the ReLU before it relu_backward(dA, cache[i - 1][1])",
                       "cache entry of the wrong layer") from None
        raise
    expect_unchanged((params, cache, dlogits), answer.args_after, ("params", "cache", "dlogits"),
        hint='keep params, cache and dlogits as they are: every gradient is a new array')
    grads = answer.value
    expected = ctx.ref.backward(params, cache, dlogits)
    if not isinstance(grads, list | tuple) or len(grads) != len(params):
        raise Fail(f"backward must return a list of {len(params)} (dW, db) tuples, got "
                   f"{type(grads).__name__}")
    if len(params) > 1 and all(isinstance(g, list | tuple) and len(g) == 2 for g in grads) and all(
            close(g[0], e[0]) for g, e in zip(grads[::-1], expected)):
        raise Fail("grads are in reverse order: grads[0] must belong to the first layer",
                   "grads in the wrong order")
    for i, (g, (exp_dW, exp_db)) in enumerate(zip(grads, expected), start=1):
        if not isinstance(g, list | tuple) or len(g) != 2:
            raise Fail(f"grads[{i - 1}] must be a tuple (dW, db)")
        try:
            expect_array(g[0], exp_dW, f"dW_{i}")
            expect_array(g[1], exp_db, f"db_{i}")
        except Fail as fail:
            raise with_note(fail, _backward_note(ctx, params, X, dlogits, i - 1, g[0])) from None


def _backward_note(ctx, params, X, dlogits, layer: int, got) -> str:
    def f(W):
        trial = [(W if j == layer else p[0], p[1]) for j, p in enumerate(params)]
        logits = ctx.student.call("forward", (trial, X)).value[0]
        return float(np.sum(np.asarray(logits, dtype=float) * dlogits))
    return own_forward_note(ctx, got, f, params[layer][0], f"dW_{layer + 1}", "forward")


@check("backward.single-layer", function="backward", points=2,
       description="a network with one linear layer (no ReLU to undo)")
def backward_single(ctx) -> None:
    _backward_case(ctx, inputs.NETWORKS[0])


@check("backward.deep", function="backward", points=8,
       description="2- and 3-layer networks: every (dW, db) in layer order, inputs unchanged")
def backward_deep(ctx) -> None:
    for sizes in inputs.NETWORKS[1:]:
        _backward_case(ctx, sizes)


# ---------------------------------------------------------------- numerical gradient
def _smooth(x: np.ndarray, C: np.ndarray) -> float:
    """A smooth test function with a known gradient: sum(C * sin(x)) + 0.5 * sum(x**2)."""
    return float(np.sum(C * np.sin(x)) + 0.5 * np.sum(x * x))


def _smooth_grad(x: np.ndarray, C: np.ndarray) -> np.ndarray:
    return C * np.cos(x) + x


@check("numerical_gradient.values", function="numerical_gradient", points=3,
       description="central differences of a smooth function, several shapes and step sizes")
def numgrad_values(ctx) -> None:
    for shape, h in (((3, 4), None), ((5,), 1e-4), ((1, 1), None)):
        x, C = inputs.normal(ctx.rng, *shape), inputs.normal(ctx.rng, *shape)
        args = (Callback("f"), x) if h is None else (Callback("f"), x, h)
        answer = ctx.student.call("numerical_gradient", args,
                                  substitute={"f": lambda v, C=C: _smooth(v, C)})
        got = answer.value
        exact = _smooth_grad(x, C)
        if close(got, 2 * exact, rtol=1e-3, atol=1e-5):
            raise Fail("the difference is divided by h; the central difference divides by 2h",
                       "divided by h instead of 2h")
        if isinstance(got, np.ndarray) and got.shape == exact.shape and not close(
                got, exact, NUMGRAD_RTOL, NUMGRAD_ATOL) and close(got, exact, rtol=1e-2, atol=1e-3):
            raise Fail("the estimate is only accurate to about h: use the centered difference "
                       "(f(x + h) - f(x - h)) / (2h), not a one-sided one", "one-sided difference")
        expect_array(got, exact, "grad", rtol=NUMGRAD_RTOL, atol=NUMGRAD_ATOL,
                     type_name=answer.type_name)


@check("numerical_gradient.restores", function="numerical_gradient", points=2,
       description="x holds its original values when the function returns")
def numgrad_restores(ctx) -> None:
    x, C = inputs.normal(ctx.rng, 4, 3), inputs.normal(ctx.rng, 4, 3)
    answer = ctx.student.call("numerical_gradient", (Callback("f"), x), return_args=True,
                              substitute={"f": lambda v: _smooth(v, C)})
    after = answer.args_after[1]
    if not close(after, x, rtol=0, atol=1e-12):
        raise Fail("x was left changed after numerical_gradient returned; save each entry before "
                   "changing it and put the saved value back", "x not restored")
