"""Part 2: binary cross-entropy on logits, and the mean squared error, with their gradients.

The BCE `.stable` checks give logits of 1e3 to 1e4 of both signs and judge the answer alone
(autograde_tests.stable): a sigmoid followed by a log returns inf or NaN there, the stable form
max(z, 0) - z y + log1p(exp(-|z|)) the exact loss; a warning NumPy raises on a line whose result
is not returned is a note. The gradients are gradient-checked against the student's own loss
when they fail. The diagnoses each check may name are declared next to it.
"""

from __future__ import annotations

import numpy as np

from autograde_tests import inputs
from autograde_tests.compare import Fail, expect_array, expect_float, expect_unchanged
from autograde_tests.diagnosis import Diagnosis, Trail, declare
from autograde_tests.engine import check
from autograde_tests.messages import message
from autograde_tests.probes import own_forward_note, scalar, with_note
from autograde_tests.stable import extreme_call, judge_array, judge_float

#: What to do instead of changing an argument in place (compare.expect_unchanged).
LOSS_FOR_LOGITS = message("bce_with_logits.loss-name",
                          "the loss for logits of +-{low:.0f} to {high:.0f}")
DZ_FOR_LOGITS = message("bce_with_logits_backward.dz-name",
                        "dz for logits of +-{low:.0f} to {high:.0f}")
MSE_FOR_SHAPE = message("mse.name", "mse for shape {shape}")
HINTS = {m.key.split(":", 1)[1]: m() for m in (
    message("bce_with_logits.hint-z",
        "compute every term as a new array (never clip or shift z in place)"),
    message("bce_with_logits.hint-labels",
        "only read the labels"),
    message("mse.hint",
        "compute (y_pred - y) ** 2 as a new array"),
    message("mse_backward.hint",
        "compute 2 * (y_pred - y) / size as a new array"),
)}

#: Label dtypes BCE must accept: 0/1 as integers or as floats.
BCE_LABEL_DTYPES = (np.int64, np.float64, np.uint8)
#: (N, D) shapes of the MSE checks: vectors (N,) and matrices, a single example included.
MSE_SHAPES = ((7,), (5, 3), (1, 2), (4, 1))


def _bce_terms(z, y):
    z, y = np.asarray(z, dtype=float), np.asarray(y, dtype=float)
    return np.maximum(z, 0.0) - z * y + np.log1p(np.exp(-np.abs(z)))


def _bce_naive(z, y):
    p = 1 / (1 + np.exp(-np.asarray(z, dtype=float)))
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


BCE = declare(
    Diagnosis("bce_with_logits.summed", "sum instead of mean",
              "the loss equals the sum over the batch: return the mean",
              lambda z, y: float(np.sum(_bce_terms(z, y)))),
    Diagnosis("bce_with_logits.wrong-sign", "wrong sign",
              "the loss has the wrong sign: BCE is the mean of -log p(correct label), a positive "
              "number", lambda z, y: -float(np.mean(_bce_terms(z, y)))),
    Diagnosis("bce_with_logits.labels-swapped", "labels swapped",
              "the loss equals the one with the labels swapped: y = 1 goes with log sigmoid(z), "
              "y = 0 with log(1 - sigmoid(z))",
              lambda z, y: float(np.mean(_bce_terms(z, 1 - np.asarray(y, dtype=float))))),
    Diagnosis("bce_with_logits.sigmoid-then-log", "log of a rounded sigmoid",
              "for logits of +-1e3 the loss is {got}, exactly what "
              "-mean(y log(sigmoid(z)) + (1 - y) log(1 - sigmoid(z))) gives there: sigmoid(z) "
              "rounds to 0 or 1 and the log of it is -inf; compute "
              "max(z, 0) - z * y + log1p(exp(-|z|)) instead", _bce_naive),
)
BCE_BACKWARD = declare(
    Diagnosis("bce_with_logits_backward.missing-1-over-n", "missing 1/N in the loss gradient",
              "dz is N times too large: the loss is a mean, so divide by the batch size N",
              lambda z, y: _sigmoid(z) - y),
    Diagnosis("bce_with_logits_backward.wrong-sign", "wrong sign",
              "dz has the wrong sign: it is (sigmoid(z) - y) / N, the predicted probability minus "
              "the label", lambda z, y: (y - _sigmoid(z)) / len(z)),
)


def _sigmoid(z):
    z = np.asarray(z, dtype=float)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def _bce_case(ctx, n: int, dtype=np.int64, scale: float = 3.0):
    z = inputs.normal(ctx.rng, n, scale=scale)
    y = ctx.rng.integers(0, 2, size=n).astype(dtype)
    return z, y


def _large_bce_case(ctx):
    """Logits of 30 to 60: exact in float64 with the stable form, while sigmoid(z) already rounds
    to 1 there (so log(1 - sigmoid(z)) is -inf): they tell the sigmoid-then-log form from others
    that fail only for |z| ~ 1e3."""
    z, y = _bce_case(ctx, 6, scale=1.0)
    z = np.sign(z) * ctx.rng.uniform(30, 60, size=z.size)
    y[0], z[0] = 0, abs(z[0])
    y[1], z[1] = 1, -abs(z[1])
    return z, y


def _extreme_bce_case(ctx):
    z, y = _bce_case(ctx, 6, scale=1.0)
    z = np.sign(z) * ctx.rng.uniform(1e3, 1e4, size=z.size)
    y[0], z[0] = 1, -abs(z[0])   # a confidently wrong logit: the loss is ~ |z|, not inf
    y[1], z[1] = 0, abs(z[1])
    return z, y


_ONLY_READ = {"z": HINTS["bce_with_logits.hint-z"], "y": HINTS["bce_with_logits.hint-labels"]}


# ---------------------------------------------------------------- BCE
@check("bce_with_logits.values", function="bce_with_logits", points=3,
       description="mean BCE of logits as a float, labels as int or float, inputs unchanged")
def bce_values(ctx) -> None:
    trail = Trail(BCE.values())
    for dtype in BCE_LABEL_DTYPES:
        z, y = _bce_case(ctx, int(ctx.rng.integers(2, 9)), dtype)
        answer = ctx.student.call("bce_with_logits", (z, y), return_args=True)
        expect_unchanged((z, y), answer.args_after, ("z", "y"), hint=_ONLY_READ,
                         function="bce_with_logits")
        expected = ctx.ref.bce_with_logits(z, y)
        trail.diagnose((z, y), answer.value, expected, got=answer.value)
        expect_float(answer.value, expected, "the loss", type_name=answer.type_name)


@check("bce_with_logits.stable", function="bce_with_logits", points=3,
       description="finite, exact loss for logits ~ 30 to 60 and ~ 1e3 to 1e4 of both signs, inputs "
                   "unchanged")
def bce_stable(ctx) -> None:
    trail = Trail(BCE.values())
    for z, y in (_large_bce_case(ctx), _extreme_bce_case(ctx)):
        answer, event = extreme_call(ctx, "bce_with_logits", (z, y), ("z", "y"), _ONLY_READ)
        expected = ctx.ref.bce_with_logits(z, y)
        trail.diagnose((z, y), answer.value, expected, got=answer.value)
        judge_float(ctx, "bce_with_logits", answer, event, expected,
                    LOSS_FOR_LOGITS(low=np.abs(z).min(), high=np.abs(z).max()))


# ---------------------------------------------------------------- BCE backward
def _bce_note(ctx, z, y, got) -> str:
    def f(v):
        return scalar(ctx.student.call("bce_with_logits", (v, y)))
    return own_forward_note(ctx, got, f, z, "dz", "bce_with_logits")


@check("bce_with_logits_backward.values", function="bce_with_logits_backward", points=3,
       description="(sigmoid(z) - y) / N, labels as int or float, inputs unchanged; gradient-checked")
def bce_backward_values(ctx) -> None:
    trail = Trail(BCE_BACKWARD.values())
    for dtype in BCE_LABEL_DTYPES:
        z, y = _bce_case(ctx, int(ctx.rng.integers(2, 9)), dtype)
        answer = ctx.student.call("bce_with_logits_backward", (z, y), return_args=True)
        expect_unchanged((z, y), answer.args_after, ("z", "y"), hint=_ONLY_READ,
                         function="bce_with_logits_backward")
        got, expected = answer.value, ctx.ref.bce_with_logits_backward(z, y)
        try:
            trail.diagnose((z, y), got, expected)
            expect_array(got, expected, "dz", type_name=answer.type_name)
        except Fail as fail:
            raise with_note(fail, _bce_note(ctx, z, y, got)) from None


@check("bce_with_logits_backward.stable", function="bce_with_logits_backward", points=2,
       description="finite, exact gradient for logits ~ 30 to 60 and ~ 1e3 to 1e4 of both signs, "
                   "inputs unchanged")
def bce_backward_stable(ctx) -> None:
    trail = Trail(BCE_BACKWARD.values())
    for z, y in (_large_bce_case(ctx), _extreme_bce_case(ctx)):
        answer, event = extreme_call(ctx, "bce_with_logits_backward", (z, y), ("z", "y"),
                                     _ONLY_READ)
        expected = ctx.ref.bce_with_logits_backward(z, y)
        trail.diagnose((z, y), answer.value, expected)
        judge_array(ctx, "bce_with_logits_backward", answer, event, expected,
                    DZ_FOR_LOGITS(low=np.abs(z).min(), high=np.abs(z).max()))


# ---------------------------------------------------------------- MSE
def _mse_case(ctx, shape):
    return inputs.normal(ctx.rng, *shape), inputs.normal(ctx.rng, *shape)


def _rows(a) -> int:
    return np.shape(a)[0]


MSE = declare(
    Diagnosis("mse.half", "factor 1/2",
              "the loss equals half the mean of the squared errors: here MSE is their plain mean, "
              "without 1/2", lambda p, y: float(np.mean((p - y) ** 2) / 2)),
    Diagnosis("mse.mean-over-rows", "mean over N instead of every entry",
              "the squared errors are divided by the number of rows N only; the mean is over "
              "every entry (N * D, y_pred.size)", lambda p, y: float(np.sum((p - y) ** 2) / _rows(p))),
    Diagnosis("mse.summed", "sum instead of mean",
              "the loss equals the sum of the squared errors: return their mean",
              lambda p, y: float(np.sum((p - y) ** 2))),
)
MSE_BACKWARD = declare(
    Diagnosis("mse_backward.no-factor-2", "factor 2 missing",
              "the gradient lacks the factor 2: the derivative of (y_pred - y)**2 is "
              "2 * (y_pred - y)", lambda p, y: (p - y) / p.size),
    Diagnosis("mse_backward.wrong-sign", "wrong sign",
              "the gradient has the wrong sign: it is 2 * (y_pred - y) / size",
              lambda p, y: 2 * (y - p) / p.size),
    Diagnosis("mse_backward.mean-over-rows", "mean over N instead of every entry",
              "the gradient is divided by the number of rows N = len(y_pred): the loss is a mean "
              "over every entry, so divide by y_pred.size", lambda p, y: 2 * (p - y) / _rows(p)),
    Diagnosis("mse_backward.not-averaged", "not divided by the number of entries",
              "the gradient is not divided by the number of entries: it is "
              "2 * (y_pred - y) / y_pred.size", lambda p, y: 2 * (p - y)),
)


@check("mse.values", function="mse", points=4,
       description="mean of (y_pred - y)^2 over every entry, for (N,) and (N, D), as a float")
def mse_values(ctx) -> None:
    trail = Trail(MSE.values())
    for shape in MSE_SHAPES:
        y_pred, y = _mse_case(ctx, shape)
        answer = ctx.student.call("mse", (y_pred, y), return_args=True)
        expect_unchanged((y_pred, y), answer.args_after, ("y_pred", "y"),
                         hint=HINTS["mse.hint"], function="mse")
        expected = ctx.ref.mse(y_pred, y)
        trail.diagnose((y_pred, y), answer.value, expected)
        expect_float(answer.value, expected, MSE_FOR_SHAPE(shape=shape), type_name=answer.type_name)


@check("mse_backward.values", function="mse_backward", points=4,
       description="2 (y_pred - y) / size for (N,) and (N, D), inputs unchanged; gradient-checked")
def mse_backward_values(ctx) -> None:
    trail = Trail(MSE_BACKWARD.values())
    for shape in MSE_SHAPES:
        y_pred, y = _mse_case(ctx, shape)
        answer = ctx.student.call("mse_backward", (y_pred, y), return_args=True)
        expect_unchanged((y_pred, y), answer.args_after, ("y_pred", "y"),
                         hint=HINTS["mse_backward.hint"],
                         function="mse_backward")
        got, expected = answer.value, ctx.ref.mse_backward(y_pred, y)
        try:
            trail.diagnose((y_pred, y), got, expected)
            expect_array(got, expected, "d_pred", type_name=answer.type_name)
        except Fail as fail:
            def f(v, y=y):
                return scalar(ctx.student.call("mse", (v, y)))
            raise with_note(fail, own_forward_note(ctx, got, f, y_pred, "d_pred", "mse")) from None
