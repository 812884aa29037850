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
from autograde_tests.diagnosis import Diagnosis, Raised, Trail, declare
from autograde_tests.engine import check
from autograde_tests.messages import message
from autograde_tests.probes import (
    column_softmax,
    own_forward_note,
    plant_extreme_row,
    scalar,
    with_note,
)
from autograde_tests.stable import extreme_call, judge_array
from nnkit_contract.outcomes import StudentRaised
from nnkit_contract.values import Callback

LINEAR_HINT = message("linear_backward.hint-new-array",
                      "compute dZ @ W.T, X.T @ dZ and dZ.sum(axis=0), all new arrays")
LINEAR_NOT_TUPLE = message("linear_backward.not-tuple",
                           "linear_backward must return a tuple (dX, dW, db), got {kind}")
BACKWARD_HINT = message("backward.hint-keep-inputs", "keep params, cache and dlogits as they "
                        "are: every gradient is a new array")
BACKWARD_NOT_LIST = message("backward.not-list",
                            "backward must return a list of {count} (dW, db) tuples, got {kind}")
BACKWARD_ENTRY = message("backward.entry-not-tuple", "grads[{i}] must be a tuple (dW, db)")

#: Tolerance of numerical_gradient against the exact gradient of a smooth test function.
NUMGRAD_RTOL = 1e-6
NUMGRAD_ATOL = 1e-8


# ---------------------------------------------------------------- linear layer
LINEAR_BACKWARD = declare(
    Diagnosis("linear_backward.dw-transposed", "dW transposed",
              "dW equals dZ.T @ X, the transpose: dW = X.T @ dZ, of shape (c_in, c_out)",
              lambda dZ, X, W: (dZ @ W.T, dZ.T @ X, dZ.sum(axis=0))),
    Diagnosis("linear_backward.db-not-summed", "bias gradient not summed over the batch",
              "db equals dZ itself, one row per example: every example contributes, so sum dZ "
              "over the batch (axis=0)", lambda dZ, X, W: (dZ @ W.T, X.T @ dZ, dZ)),
    Diagnosis("linear_backward.db-averaged", "bias gradient averaged instead of summed",
              "db is the mean of dZ over the batch; it is the sum",
              lambda dZ, X, W: (dZ @ W.T, X.T @ dZ, dZ.mean(axis=0))),
)


def _linear_case(ctx, case):
    n, c_in, c_out = case
    dZ, X, W = (inputs.normal(ctx.rng, n, c_out), inputs.normal(ctx.rng, n, c_in),
                inputs.normal(ctx.rng, c_in, c_out))
    answer = ctx.student.call("linear_backward", (dZ, X, W), return_args=True)
    expect_unchanged((dZ, X, W), answer.args_after, ("dZ", "X", "W"), function="linear_backward",
                     hint=LINEAR_HINT())
    value = answer.value
    if not isinstance(value, tuple | list) or len(value) != 3:
        raise Fail(LINEAR_NOT_TUPLE(kind=type(value).__name__))
    return dZ, X, W, tuple(value)


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
    index = ("dX", "dW", "db").index(which)
    trail = Trail(LINEAR_BACKWARD.values(), part=lambda value: value[index])
    for case in inputs.LAYER_CASES:
        dZ, X, W, got_all = _linear_case(ctx, case)
        expected = ctx.ref.linear_backward(dZ, X, W)
        got = got_all[index]
        try:
            trail.diagnose((dZ, X, W), got_all, expected)
            expect_array(got, expected[index], which)
        except Fail as fail:
            raise with_note(fail, _linear_note(ctx, dZ, X, W, got, which)) from None


@check("linear_backward.dX", function="linear_backward", points=3,
       description="dX = dZ W^T for several shapes, inputs unchanged")
def linear_backward_dx(ctx) -> None:
    _linear_check(ctx, "dX")


@check("linear_backward.dW", function="linear_backward", points=3,
       description="dW = X^T dZ for several shapes, inputs unchanged")
def linear_backward_dw(ctx) -> None:
    _linear_check(ctx, "dW")


@check("linear_backward.db", function="linear_backward", points=2,
       description="db = sum of dZ over the batch, inputs unchanged")
def linear_backward_db(ctx) -> None:
    _linear_check(ctx, "db")


# ---------------------------------------------------------------- ReLU
RELU_BACKWARD = declare(
    Diagnosis("relu_backward.uses-output", "ReLU backward uses the output instead of the mask",
              "dZ equals dA times the ReLU output: multiply dA by the 0/1 mask of where Z > 0",
              lambda dA, Z: dA * np.maximum(Z, 0)),
    Diagnosis("relu_backward.ge-zero", "ReLU backward uses >= 0",
              "at Z == 0 the gradient was passed through: ReLU'(0) = 0, so the mask is Z > 0, "
              "not Z >= 0", lambda dA, Z: dA * (Z >= 0)),
    Diagnosis("relu_backward.uses-z", "ReLU backward multiplies by Z",
              "dZ equals dA * Z: multiply dA by the 0/1 mask of where Z > 0, not by Z",
              lambda dA, Z: dA * Z),
)
_RELU_HINTS = {"dA": message("relu_backward.hint-da", "multiply dA by the 0/1 mask of where Z > "
                             "0 into a new array instead of zeroing entries of dA")(),
               "Z": message("relu_backward.hint-z",
                            "build the mask as a new array, without writing to Z")()}


def _relu_note(ctx, dA, Z, got) -> str:
    def f(v):
        return float(np.sum(np.asarray(ctx.student.call("relu_forward", (v,)).value, float) * dA))
    return own_forward_note(ctx, got, f, Z, "dZ", "relu_forward")


def _relu_backward(ctx, trail: Trail, dA, Z, gradcheck: bool) -> None:
    answer = ctx.student.call("relu_backward", (dA, Z), return_args=True)
    expect_unchanged((dA, Z), answer.args_after, ("dA", "Z"), hint=_RELU_HINTS,
                     function="relu_backward")
    got, expected = answer.value, ctx.ref.relu_backward(dA, Z)
    try:
        trail.diagnose((dA, Z), got, expected)
        expect_array(got, expected, "dZ", type_name=answer.type_name)
    except Fail as fail:
        if not gradcheck:
            raise
        raise with_note(fail, _relu_note(ctx, dA, Z, got)) from None


@check("relu_backward.values", function="relu_backward", points=3,
       description="gradient passes where Z > 0 (inputs away from 0), inputs unchanged")
def relu_backward_values(ctx) -> None:
    trail = Trail(RELU_BACKWARD.values())
    for shape in ((4, 3), (1, 6), (5,)):
        _relu_backward(ctx, trail, inputs.normal(ctx.rng, *shape), inputs.without_zeros(ctx.rng, *shape),
                       gradcheck=True)


@check("relu_backward.at-zero", function="relu_backward", points=2,
       description="no gradient where Z == 0 exactly (ReLU'(0) = 0), inputs unchanged")
def relu_backward_zero(ctx) -> None:
    _relu_backward(ctx, Trail(RELU_BACKWARD.values()), inputs.normal(ctx.rng, 5, 4),
                   inputs.with_exact_zeros(ctx.rng, 5, 4), gradcheck=False)


# ---------------------------------------------------------------- softmax cross-entropy
def _sce_grad(softmax_fn, scale_by_n=True, sign=1.0):
    def softmax_cross_entropy_backward(logits, y):
        P = softmax_fn(logits)
        P[np.arange(len(y)), y] -= 1.0
        return sign * (P / len(y) if scale_by_n else P)
    return softmax_cross_entropy_backward


def _stable_softmax(logits):
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _naive_softmax(logits):
    e = np.exp(logits)
    return e / e.sum(axis=1, keepdims=True)


SCE_BACKWARD = declare(
    Diagnosis("softmax_cross_entropy_backward.missing-1-over-n", "missing 1/N in the loss gradient",
              "dlogits is N times too large: the loss is a mean, so divide by the batch size N",
              _sce_grad(_stable_softmax, scale_by_n=False)),
    Diagnosis("softmax_cross_entropy_backward.wrong-axis", "softmax over the wrong axis",
              "dlogits equals the gradient with a softmax that normalizes the columns; every row "
              "of softmax(logits) must sum to 1 (axis=1)", _sce_grad(column_softmax)),
    Diagnosis("softmax_cross_entropy_backward.wrong-sign", "wrong sign",
              "dlogits has the wrong sign: it is (softmax(logits) - onehot(y)) / N",
              _sce_grad(_stable_softmax, sign=-1.0)),
    Diagnosis("softmax_cross_entropy_backward.no-max-shift", "exp of the raw logits overflows",
              "dlogits holds NaN for logits ~ 1e3, exactly what a softmax without the row maximum "
              "subtracted gives there (inf / inf): subtract the row maximum before exp",
              _sce_grad(_naive_softmax)),
)


def _sce_note(ctx, logits, y, got) -> str:
    def f(v):
        return scalar(ctx.student.call("softmax_cross_entropy", (v, y)))
    return own_forward_note(ctx, got, f, logits, "dlogits", "softmax_cross_entropy")


def _own_softmax(ctx) -> dict:
    """A softmax_cross_entropy_backward that calls `softmax` gets the reference one: a bug in the
    student's softmax costs softmax's points only (one bug, its own points)."""
    return {"softmax": ctx.ref.softmax}


_SCE_HINTS = {"logits": message("softmax_cross_entropy_backward.hint-logits", "start from P = "
                                "softmax(logits), a new array, and change P, never logits")(),
              "y": message("softmax_cross_entropy_backward.hint-labels", "only read the labels")()}
SCE_STABLE_NAME = message("softmax_cross_entropy_backward.stable-name",
                          "dlogits for logits ~ {scale:.0f}")


@check("softmax_cross_entropy_backward.values", function="softmax_cross_entropy_backward", points=5,
       description="(softmax - onehot) / N, labels of several dtypes, inputs unchanged")
def sce_backward_values(ctx) -> None:
    trail = Trail(SCE_BACKWARD.values())
    for dtype in inputs.LABEL_DTYPES:
        n, k = int(ctx.rng.integers(2, 7)), int(ctx.rng.integers(2, 5))
        logits, y = inputs.normal(ctx.rng, n, k, scale=2), inputs.labels(ctx.rng, n, k, dtype)
        answer = ctx.student.call("softmax_cross_entropy_backward", (logits, y), return_args=True,
                                  substitute=_own_softmax(ctx))
        expect_unchanged((logits, y), answer.args_after, ("logits", "y"), hint=_SCE_HINTS,
                         function="softmax_cross_entropy_backward")
        expected = ctx.ref.softmax_cross_entropy_backward(logits, y)
        got = answer.value
        try:
            trail.diagnose((logits, y), got, expected)
            expect_array(got, expected, "dlogits", type_name=answer.type_name)
        except Fail as fail:
            raise with_note(fail, _sce_note(ctx, logits, y, got)) from None


@check("softmax_cross_entropy_backward.stable", function="softmax_cross_entropy_backward", points=2,
       description="finite, exact gradient for logits ~ 1e2 and ~ 1e3 to 1e4, inputs unchanged")
def sce_backward_stable(ctx) -> None:
    trail = Trail(SCE_BACKWARD.values())
    for scale in (ctx.rng.uniform(50, 300), ctx.rng.uniform(1e3, 1e4)):
        logits = inputs.normal(ctx.rng, 4, 3) * scale
        y = inputs.labels(ctx.rng, 4, 3)
        if scale > 1e3:
            row, top = plant_extreme_row(ctx, logits)
            k = logits.shape[1]
            y[row] = (top + 1 + int(ctx.rng.integers(k - 1))) % k  # a gradient of -1/N there, not 0
        answer, event = extreme_call(ctx, "softmax_cross_entropy_backward", (logits, y),
                                     ("logits", "y"), _SCE_HINTS, substitute=_own_softmax(ctx))
        expected = ctx.ref.softmax_cross_entropy_backward(logits, y)
        trail.diagnose((logits, y), answer.value, expected)
        judge_array(ctx, "softmax_cross_entropy_backward", answer, event, expected,
                    SCE_STABLE_NAME(scale=scale))


# ---------------------------------------------------------------- backward through the network
_BACKWARD_DEPS = ("linear_backward", "relu_backward")


def _backward_with(*, mask=lambda cache, i: cache[i - 1][1], relu=True, order="in"):
    """An alternative backward: the ReLU mask of another layer's entry, no ReLU at all between
    the layers, or the gradients in reverse order."""
    def backward(params, cache, dlogits):
        grads, dZ = [None] * len(params), dlogits
        for i in reversed(range(len(params))):
            W, _ = params[i]
            A_prev = cache[i][0]
            grads[i] = (A_prev.T @ dZ, dZ.sum(axis=0))
            dA = dZ @ W.T
            if i > 0:
                dZ = dA * (mask(cache, i) > 0) if relu else dA
        return grads[::-1] if order == "reversed" else grads
    return backward


BACKWARD = declare(
    Diagnosis("backward.wrong-layer-z", "cache entry of the wrong layer",
              "backward answers exactly as one that masks the gradient of layer i's input with "
              "that layer's own Z (cache[i][1]); the ReLU before layer i is undone with the Z of "
              "layer i - 1, cache[i - 1][1]", _backward_with(mask=lambda cache, i: cache[i][1])),
    Diagnosis("backward.mask-from-input", "mask from A_prev instead of Z",
              "backward answers exactly as one that masks the gradient of layer i's input with the "
              "input of layer i - 1 (cache[i - 1][0]) instead of its Z: the ReLU before layer i is "
              "undone with cache[i - 1][1]", _backward_with(mask=lambda cache, i: cache[i - 1][0])),
    Diagnosis("backward.relu-missing", "ReLU missing between the layers",
              "the gradients equal those of a network without ReLU between the layers: apply "
              "relu_backward to dA before the next linear_backward", _backward_with(relu=False)),
    Diagnosis("backward.grads-reversed", "grads in the wrong order",
              "grads are in reverse order: grads[0] must belong to the first layer",
              _backward_with(order="reversed")),
)


def _backward_case(ctx, trail: Trail, sizes):
    params = inputs.params_for(ctx.ref, sizes, ctx.rng)
    X = inputs.normal(ctx.rng, int(ctx.rng.integers(1, 6)), sizes[0])
    logits, cache = ctx.ref.forward(params, X)
    dlogits = inputs.normal(ctx.rng, *logits.shape)
    args = (params, cache, dlogits)
    expected = ctx.ref.backward(*args)
    try:
        answer = ctx.student.call("backward", args, return_args=True,
                                  substitute={n: getattr(ctx.ref, n) for n in _BACKWARD_DEPS})
    except StudentRaised as exc:
        trail.diagnose(args, Raised(exc.exc_type, exc.detail), expected)
        raise
    expect_unchanged(args, answer.args_after, ("params", "cache", "dlogits"), function="backward",
                     hint=BACKWARD_HINT())
    grads = answer.value
    trail.diagnose(args, grads, expected)
    if not isinstance(grads, list | tuple) or len(grads) != len(params):
        raise Fail(BACKWARD_NOT_LIST(count=len(params), kind=type(grads).__name__))
    for i, (g, (exp_dW, exp_db)) in enumerate(zip(grads, expected), start=1):
        if not isinstance(g, list | tuple) or len(g) != 2:
            raise Fail(BACKWARD_ENTRY(i=i - 1))
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
    _backward_case(ctx, Trail(BACKWARD.values()), inputs.NETWORKS[0])


@check("backward.deep", function="backward", points=8,
       description="2- and 3-layer networks: every (dW, db) in layer order, inputs unchanged")
def backward_deep(ctx) -> None:
    trail = Trail(BACKWARD.values())
    for sizes in inputs.NETWORKS[1:]:
        _backward_case(ctx, trail, sizes)


# ---------------------------------------------------------------- numerical gradient
def _smooth(x: np.ndarray, C: np.ndarray) -> float:
    """A smooth test function with a known gradient: sum(C * sin(x)) + 0.5 * sum(x**2)."""
    return float(np.sum(C * np.sin(x)) + 0.5 * np.sum(x * x))


def _smooth_grad(x: np.ndarray, C: np.ndarray) -> np.ndarray:
    return C * np.cos(x) + x


def _differences(step):
    """An alternative numerical_gradient: grad[i] = step(f, x, i, h) on a copy of x."""
    def numerical_gradient(f, x, h=1e-5):
        x = x.astype(float).copy()
        grad = np.zeros(x.shape)
        for i in np.ndindex(*x.shape):
            grad[i] = step(f, x, i, h)
        return grad
    return numerical_gradient


def _at(f, x, i, value):
    saved = x[i]
    x[i] = value
    out = f(x)
    x[i] = saved
    return out


NUMGRAD = declare(
    Diagnosis("numerical_gradient.divided-by-h", "divided by h instead of 2h",
              "grad equals (f(x + h) - f(x - h)) / h: the centered difference divides by 2h",
              _differences(lambda f, x, i, h: (_at(f, x, i, x[i] + h) - _at(f, x, i, x[i] - h)) / h)),
    Diagnosis("numerical_gradient.one-sided", "one-sided difference",
              "grad equals the one-sided difference (f(x + h) - f(x)) / h: use the centered "
              "difference (f(x + h) - f(x - h)) / (2h), accurate to about h**2",
              _differences(lambda f, x, i, h: (_at(f, x, i, x[i] + h) - f(x)) / h)),
    Diagnosis("numerical_gradient.not-restored", "x not restored",
              "x was left changed after numerical_gradient returned; save each entry before "
              "changing it and put the saved value back"),
)


@check("numerical_gradient.values", function="numerical_gradient", points=3,
       description="central differences of a smooth function, several shapes and step sizes")
def numgrad_values(ctx) -> None:
    # x is not judged here: putting x back is numerical_gradient.restores's (one bug, one check).
    trail = Trail(NUMGRAD.values(), rtol=1e-6, atol=1e-9)
    for shape, h in (((3, 4), None), ((5,), 1e-4), ((1, 1), None)):
        x, C = inputs.normal(ctx.rng, *shape), inputs.normal(ctx.rng, *shape)
        def f(v, C=C):
            return _smooth(v, C)
        args = (Callback("f"), x) if h is None else (Callback("f"), x, h)
        answer = ctx.student.call("numerical_gradient", args, substitute={"f": f})
        got, exact = answer.value, _smooth_grad(x, C)
        trail.diagnose((f, x) if h is None else (f, x, h), got, exact)
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
        raise Fail.of(NUMGRAD["not-restored"])
