"""Part 1: standardization."""

from __future__ import annotations

import numpy as np

from autograde_tests.compare import Fail, close, expect_array, expect_unchanged
from autograde_tests.engine import check


def _raw_features(ctx, n: int, d: int) -> np.ndarray:
    offset = ctx.rng.uniform(-20, 20, size=d)
    scale = ctx.rng.uniform(0.2, 8, size=d)
    return ctx.rng.standard_normal((n, d)) * scale + offset


def _triple(answer, what: str) -> tuple:
    value = answer.value
    if not isinstance(value, tuple | list) or len(value) != 3:
        raise Fail(f"{what} must return a tuple (X_std, mean, std), got {type(value).__name__}")
    return tuple(value)


@check("standardize.fit", function="standardize", points=3,
       description="statistics per feature from X itself, X not modified")
def standardize_fit(ctx) -> None:
    for n, d in ((25, 2), (7, 4), (40, 1)):
        X = _raw_features(ctx, n, d)
        answer = ctx.student.call("standardize", (X,), return_args=True)
        expect_unchanged((X,), answer.args_after, ("X",),
        hint='compute X_std = (X - mean) / std, a new array, instead of X -= mean')
        X_std, mean, std = _triple(answer, "standardize(X)")
        exp_X, exp_mean, exp_std = ctx.ref.standardize(X)
        if close(std, X.std(axis=0, ddof=1)):
            raise Fail("std is the sample standard deviation (ddof=1); use the population std "
                       "(np.std's default, ddof=0)", "sample std instead of population std")
        if np.ndim(mean) == 0 or (isinstance(mean, np.ndarray) and mean.shape == (n,)):
            raise Fail(f"mean has shape {np.shape(mean)}, expected ({d},): compute one mean per "
                       "feature column (axis=0)", "statistics over the wrong axis")
        expect_array(mean, exp_mean, "mean")
        expect_array(std, exp_std, "std")
        expect_array(X_std, exp_X, "X_std")


@check("standardize.apply", function="standardize", points=2,
       description="given mean and std are used instead of new statistics")
def standardize_apply(ctx) -> None:
    X = _raw_features(ctx, 9, 3)
    mean = ctx.rng.uniform(-5, 5, size=3)
    std = ctx.rng.uniform(0.5, 3, size=3)
    answer = ctx.student.call("standardize", (X, mean, std), return_args=True)
    expect_unchanged((X, mean, std), answer.args_after, ("X", "mean", "std"),
        hint='compute (X - mean) / std, a new array, instead of X -= mean')
    X_std, got_mean, got_std = _triple(answer, "standardize(X, mean, std)")
    if close(X_std, ctx.ref.standardize(X)[0]):
        raise Fail("the given mean and std were ignored: standardize(X_test, mean, std) must use "
                   "them (the training statistics)", "ignores the given mean/std")
    expect_array(X_std, ctx.ref.standardize(X, mean, std)[0], "X_std")
    expect_array(got_mean, mean, "returned mean")
    expect_array(got_std, std, "returned std")
