"""Part 2: binary cross-entropy on logits, and the mean squared error, with their gradients.

The BCE checks include logits of 1e3 to 1e4 run with overflow, invalid and divide-by-zero as
errors: a sigmoid followed by a log overflows or takes log(0) there, the stable form
max(z, 0) - z y + log1p(exp(-|z|)) does not. The gradients are gradient-checked against the
student's own loss when they fail.
"""

from __future__ import annotations

import numpy as np

from autograde_tests import inputs
from autograde_tests.compare import Fail, close, expect_array, expect_float, expect_unchanged
from autograde_tests.engine import check
from autograde_tests.probes import overflow_guard, own_forward_note, scalar, with_note

#: Label dtypes BCE must accept: 0/1 as integers or as floats.
BCE_LABEL_DTYPES = (np.int64, np.float64, np.uint8)
#: (N, D) shapes of the MSE checks: vectors (N,) and matrices, a single example included.
MSE_SHAPES = ((7,), (5, 3), (1, 2), (4, 1))

_BCE_HINT = ("compute max(z, 0) - z * y + log1p(exp(-|z|)) instead of log(sigmoid(z)): it never "
             "overflows nor takes log(0)")


def _bce_case(ctx, n: int, dtype=np.int64, scale: float = 3.0):
    z = inputs.normal(ctx.rng, n, scale=scale)
    y = ctx.rng.integers(0, 2, size=n).astype(dtype)
    return z, y


def _naive_bce(z: np.ndarray, y: np.ndarray) -> float:
    with np.errstate(all="ignore"):
        p = 1 / (1 + np.exp(-z))
        return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


# ---------------------------------------------------------------- BCE
@check("bce_with_logits.values", function="bce_with_logits", points=3,
       description="mean BCE of logits as a float, labels as int or float, inputs unchanged")
def bce_values(ctx) -> None:
    for dtype in BCE_LABEL_DTYPES:
        z, y = _bce_case(ctx, int(ctx.rng.integers(1, 9)), dtype)
        answer = ctx.student.call("bce_with_logits", (z, y), return_args=True)
        expect_unchanged((z, y), answer.args_after, ("z", "y"), hint="only read z and y")
        expected = ctx.ref.bce_with_logits(z, y)
        got = answer.value
        if isinstance(got, int | float) and not isinstance(got, bool) and not np.isclose(got, expected):
            if np.isclose(got, expected * len(z)) and len(z) > 1:
                raise Fail("the loss is summed over the batch; return the mean", "sum instead of mean")
            if np.isclose(got, -expected):
                raise Fail("the loss has the wrong sign: BCE is the mean of -log p(correct label)",
                           "wrong sign")
            flipped = ctx.ref.bce_with_logits(z, 1 - y)
            if np.isclose(got, flipped) and not np.isclose(got, expected):
                raise Fail("the labels are swapped: y = 1 goes with log sigmoid(z), y = 0 with "
                           "log(1 - sigmoid(z))", "labels swapped")
        expect_float(got, expected, "the loss", type_name=answer.type_name)


@check("bce_with_logits.stable", function="bce_with_logits", points=3,
       description="finite, exact loss for logits ~ 1e3 to 1e4 of both signs")
def bce_stable(ctx) -> None:
    z, y = _bce_case(ctx, 6, scale=1.0)
    z = np.sign(z) * ctx.rng.uniform(1e3, 1e4, size=z.size)
    y[0], z[0] = 1, -abs(z[0])   # a confidently wrong logit: the loss is ~ |z|, not inf
    y[1], z[1] = 0, abs(z[1])
    answer = overflow_guard(ctx, "bce_with_logits", (z, y), _BCE_HINT)
    expected = ctx.ref.bce_with_logits(z, y)
    got = answer.value
    if isinstance(got, float) and not np.isfinite(got):
        raise Fail(f"the loss is {got} for large logits (expected {expected:.6g}): {_BCE_HINT}",
                   "BCE overflows for large logits")
    expect_float(scalar(answer) if isinstance(got, np.ndarray) else got, expected, "the loss",
                 type_name=answer.type_name)


# ---------------------------------------------------------------- BCE backward
def _bce_note(ctx, z, y, got) -> str:
    def f(v):
        return scalar(ctx.student.call("bce_with_logits", (v, y)))
    return own_forward_note(ctx, got, f, z, "dz", "bce_with_logits")


def _bce_backward_probes(got, z, y, expected) -> None:
    if close(got, expected):
        return
    if close(got, expected * len(z)) and len(z) > 1:
        raise Fail("dz is N times too large: the loss is a mean, so divide by the batch size N",
                   "missing 1/N in the loss gradient")
    if close(got, -expected):
        raise Fail("dz has the wrong sign: it is (sigmoid(z) - y) / N", "wrong sign")


@check("bce_with_logits_backward.values", function="bce_with_logits_backward", points=3,
       description="(sigmoid(z) - y) / N, labels as int or float, inputs unchanged; gradient-checked")
def bce_backward_values(ctx) -> None:
    for dtype in BCE_LABEL_DTYPES:
        z, y = _bce_case(ctx, int(ctx.rng.integers(1, 9)), dtype)
        answer = ctx.student.call("bce_with_logits_backward", (z, y), return_args=True)
        expect_unchanged((z, y), answer.args_after, ("z", "y"), hint="only read z and y")
        got, expected = answer.value, ctx.ref.bce_with_logits_backward(z, y)
        try:
            _bce_backward_probes(got, z, y, expected)
            expect_array(got, expected, "dz", type_name=answer.type_name)
        except Fail as fail:
            raise with_note(fail, _bce_note(ctx, z, y, got)) from None


@check("bce_with_logits_backward.stable", function="bce_with_logits_backward", points=2,
       description="finite, exact gradient for logits ~ 1e3 to 1e4 of both signs")
def bce_backward_stable(ctx) -> None:
    z, y = _bce_case(ctx, 6, scale=1.0)
    z = np.sign(z) * ctx.rng.uniform(1e3, 1e4, size=z.size)
    answer = overflow_guard(ctx, "bce_with_logits_backward", (z, y),
                            "compute sigmoid(z) stably (exp of -|z| only), as the given sigmoid does")
    expected = ctx.ref.bce_with_logits_backward(z, y)
    _bce_backward_probes(answer.value, z, y, expected)
    expect_array(answer.value, expected, "dz", type_name=answer.type_name)


# ---------------------------------------------------------------- MSE
def _mse_case(ctx, shape):
    return inputs.normal(ctx.rng, *shape), inputs.normal(ctx.rng, *shape)


@check("mse.values", function="mse", points=4,
       description="mean of (y_pred - y)^2 over every entry, for (N,) and (N, D), as a float")
def mse_values(ctx) -> None:
    for shape in MSE_SHAPES:
        y_pred, y = _mse_case(ctx, shape)
        answer = ctx.student.call("mse", (y_pred, y), return_args=True)
        expect_unchanged((y_pred, y), answer.args_after, ("y_pred", "y"), hint="only read y_pred and y")
        expected = ctx.ref.mse(y_pred, y)
        got = answer.value
        sq = (y_pred - y) ** 2
        if isinstance(got, int | float) and not isinstance(got, bool) and not np.isclose(got, expected):
            if np.isclose(got, expected / 2):
                raise Fail("the loss has a factor 1/2: here MSE is the plain mean of the squared "
                           "errors", "factor 1/2")
            if len(shape) == 2 and shape[1] > 1 and np.isclose(got, sq.sum() / shape[0]):
                raise Fail(f"the squared errors are divided by N = {shape[0]} only; the mean is over "
                           f"every entry (N * D = {sq.size})", "mean over N instead of every entry")
            if np.isclose(got, sq.sum()):
                raise Fail("the squared errors are summed; return their mean", "sum instead of mean")
        expect_float(got, expected, f"mse for shape {shape}", type_name=answer.type_name)


@check("mse_backward.values", function="mse_backward", points=4,
       description="2 (y_pred - y) / size for (N,) and (N, D), inputs unchanged; gradient-checked")
def mse_backward_values(ctx) -> None:
    for shape in MSE_SHAPES:
        y_pred, y = _mse_case(ctx, shape)
        answer = ctx.student.call("mse_backward", (y_pred, y), return_args=True)
        expect_unchanged((y_pred, y), answer.args_after, ("y_pred", "y"), hint="only read y_pred and y")
        got, expected = answer.value, ctx.ref.mse_backward(y_pred, y)
        try:
            if close(got, expected / 2) and not close(got, expected):
                raise Fail("the gradient lacks the factor 2: d/dp (p - y)^2 = 2 (p - y)", "factor 2 missing")
            if close(got, -expected) and not close(got, expected):
                raise Fail("the gradient has the wrong sign: it is 2 (y_pred - y) / size", "wrong sign")
            if len(shape) == 2 and shape[1] > 1 and close(got, 2 * (y_pred - y) / shape[0]):
                raise Fail(f"divided by N = {shape[0]}; the loss is a mean over every entry, so divide "
                           f"by y_pred.size = {y_pred.size}", "mean over N instead of every entry")
            expect_array(got, expected, "d_pred", type_name=answer.type_name)
        except Fail as fail:
            def f(v, y=y):
                return scalar(ctx.student.call("mse", (v, y)))
            raise with_note(fail, own_forward_note(ctx, got, f, y_pred, "d_pred", "mse")) from None
