"""Part 1: standardization. The diagnoses each check may name are declared next to it."""

from __future__ import annotations

import numpy as np

from autograde_tests.compare import Fail, expect_array, expect_unchanged
from autograde_tests.diagnosis import Diagnosis, Trail, declare
from autograde_tests.engine import check
from autograde_tests.messages import message


def _standardize_with(ddof: int = 0, use_given: bool = True):
    def standardize(X, mean=None, std=None):
        if mean is None or not use_given:
            mean = X.mean(axis=0)
        if std is None or not use_given:
            std = X.std(axis=0, ddof=ddof)
        return (X - mean) / std, mean, std
    return standardize


STANDARDIZE = declare(
    Diagnosis("standardize.sample-std", "sample std instead of population std",
              "std equals the sample standard deviation (ddof=1); use the population std, np.std's "
              "default (ddof=0)", _standardize_with(ddof=1)),
    Diagnosis("standardize.statistics-shape", "statistics over the wrong axis",
              "mean has shape {shape}, expected ({d},): compute one mean and one std per feature "
              "column (axis=0)"),
    Diagnosis("standardize.ignores-given", "ignores the given mean/std",
              "X_std equals X standardized with its own statistics: standardize(X_test, mean, std) "
              "must use the given ones (the training statistics)",
              _standardize_with(use_given=False)),
)

_HINT = message("standardize.hint-new-array",
                "compute X_std = (X - mean) / std, a new array, instead of X -= mean")()
NOT_TRIPLE = message("standardize.not-triple",
                     "{call} must return a tuple (X_std, mean, std), got {kind}")


def _raw_features(ctx, n: int, d: int) -> np.ndarray:
    offset = ctx.rng.uniform(-20, 20, size=d)
    scale = ctx.rng.uniform(0.2, 8, size=d)
    return ctx.rng.standard_normal((n, d)) * scale + offset


def _triple(answer, what: str) -> tuple:
    value = answer.value
    if not isinstance(value, tuple | list) or len(value) != 3:
        raise Fail(NOT_TRIPLE(call=what, kind=type(value).__name__))
    return tuple(value)


@check("standardize.fit", function="standardize", points=3,
       description="statistics per feature from X itself, X not modified")
def standardize_fit(ctx) -> None:
    trail = Trail(STANDARDIZE.values())
    for n, d in ((25, 2), (7, 4), (40, 1)):
        X = _raw_features(ctx, n, d)
        answer = ctx.student.call("standardize", (X,), return_args=True)
        expect_unchanged((X,), answer.args_after, ("X",), hint=_HINT, function="standardize")
        got = _triple(answer, "standardize(X)")
        expected = ctx.ref.standardize(X)
        trail.diagnose((X,), got, expected)
        X_std, mean, std = got
        if np.ndim(mean) == 0 or (isinstance(mean, np.ndarray) and mean.shape == (n,) and n != d):
            raise Fail.of(STANDARDIZE["statistics-shape"], shape=np.shape(mean), d=d)
        expect_array(mean, expected[1], "mean")
        expect_array(std, expected[2], "std")
        expect_array(X_std, expected[0], "X_std")


@check("standardize.apply", function="standardize", points=2,
       description="given mean and std are used instead of new statistics")
def standardize_apply(ctx) -> None:
    X = _raw_features(ctx, 9, 3)
    mean = ctx.rng.uniform(-5, 5, size=3)
    std = ctx.rng.uniform(0.5, 3, size=3)
    answer = ctx.student.call("standardize", (X, mean, std), return_args=True)
    expect_unchanged((X, mean, std), answer.args_after, ("X", "mean", "std"), hint=_HINT,
                     function="standardize")
    got = _triple(answer, "standardize(X, mean, std)")
    expected = ctx.ref.standardize(X, mean, std)
    Trail(STANDARDIZE.values(), part=lambda value: value[0]).diagnose((X, mean, std), got, expected)
    expect_array(got[0], expected[0], "X_std")
    expect_array(got[1], mean, "returned mean")
    expect_array(got[2], std, "returned std")
