"""Part 1: tanh, leaky ReLU and ELU, forward and backward.

Every backward check compares with the reference and, when it fails, adds a gradient check of the
student's gradient against the numerical gradient of their *own* forward ("your backward does not
match your forward" versus "it matches, so the forward is wrong too"). The kinks are tested apart:
at Z == 0 exactly, leaky ReLU's slope is alpha and ELU's gradient is alpha (both take the Z <= 0
branch, the convention of ReLU'(0) = 0 in the first assignment).
"""

from __future__ import annotations

import numpy as np

from autograde_tests import inputs
from autograde_tests.compare import Fail, close, expect_array, expect_unchanged
from autograde_tests.engine import check
from autograde_tests.probes import overflow_guard, own_forward_note, with_note

#: Shapes of the element-wise checks: a batch, a vector, a single entry.
SHAPES = ((4, 3), (6,), (1, 1))
#: Slopes tried besides the defaults; alpha = 1 would hide ELU's kink, so it is never drawn.
ALPHAS = ((0.05, 0.3), (0.3, 0.8), (1.5, 3.0))


def _alpha(ctx, low_high: tuple[float, float]) -> float:
    return float(ctx.rng.uniform(*low_high))


def _call(ctx, fn: str, args: tuple, names: tuple[str, ...], hint: str, **kwargs):
    """Call with the arguments read back, failing when an array argument was changed in place."""
    answer = ctx.student.call(fn, args, return_args=True, **kwargs)
    arrays = tuple(a for a in args if isinstance(a, np.ndarray))
    after = answer.args_after[:len(arrays)]
    expect_unchanged(arrays, after, names, hint=hint)
    return answer


def _note(ctx, forward: str, dA: np.ndarray, Z: np.ndarray, got, extra: tuple = ()) -> str:
    """The gradient check of a failing backward against the student's own forward."""
    def f(v):
        out = ctx.student.call(forward, (v, *extra)).value
        return float(np.sum(np.asarray(out, dtype=float) * dA))
    return own_forward_note(ctx, got, f, Z, "dZ", forward)


# ---------------------------------------------------------------- tanh
@check("tanh_forward.values", function="tanh_forward", points=3,
       description="tanh element-wise for several shapes, finite for |Z| ~ 1e3, input unchanged")
def tanh_forward_values(ctx) -> None:
    for shape in SHAPES:
        Z = inputs.normal(ctx.rng, *shape, scale=3)
        answer = _call(ctx, "tanh_forward", (Z,), ("Z",), "return np.tanh(Z), a new array")
        expect_array(answer.value, ctx.ref.tanh_forward(Z), "tanh(Z)", type_name=answer.type_name)
    Z = np.array([[-1e3, -20.0, 0.0], [20.0, 800.0, 1e3]]) * ctx.rng.uniform(0.9, 1.0)
    answer = overflow_guard(ctx, "tanh_forward", (Z,),
                            "(exp(z) - exp(-z)) / (exp(z) + exp(-z)) overflows: use np.tanh")
    expect_array(answer.value, ctx.ref.tanh_forward(Z), "tanh(Z)", type_name=answer.type_name)


@check("tanh_backward.values", function="tanh_backward", points=3,
       description="dA (1 - tanh(Z)^2) for several shapes, inputs unchanged; gradient-checked")
def tanh_backward_values(ctx) -> None:
    for shape in SHAPES:
        dA, Z = inputs.normal(ctx.rng, *shape), inputs.normal(ctx.rng, *shape, scale=2)
        answer = _call(ctx, "tanh_backward", (dA, Z), ("dA", "Z"),
                       "compute dA * (1 - np.tanh(Z) ** 2) as a new array")
        got, expected = answer.value, ctx.ref.tanh_backward(dA, Z)
        try:
            if not close(got, expected):  # name the cause of a wrong answer
                if close(got, dA * (1 - Z ** 2)):
                    raise Fail("dZ used Z where tanh(Z) belongs: the derivative is 1 - tanh(Z)**2",
                               "1 - Z**2 instead of 1 - tanh(Z)**2")
                if close(got, dA * (1 - np.tanh(Z))):
                    raise Fail("dZ is dA * (1 - tanh(Z)): the derivative squares tanh, 1 - tanh(Z)**2",
                               "tanh derivative not squared")
                if close(got, 1 - np.tanh(Z) ** 2):
                    raise Fail("dZ is the derivative alone: multiply it by the upstream gradient dA",
                               "upstream gradient dA ignored")
            expect_array(got, expected, "dZ", type_name=answer.type_name)
        except Fail as fail:
            raise with_note(fail, _note(ctx, "tanh_forward", dA, Z, got)) from None


# ---------------------------------------------------------------- leaky ReLU
@check("leaky_relu_forward.values", function="leaky_relu_forward", points=3,
       description="Z where Z > 0, alpha Z elsewhere, default alpha 0.01 and others, exact zeros")
def leaky_relu_forward_values(ctx) -> None:
    for shape, low_high in zip(SHAPES, ALPHAS):
        Z = inputs.with_exact_zeros(ctx.rng, *shape)
        for args in ((Z,), (Z, _alpha(ctx, low_high))):
            answer = _call(ctx, "leaky_relu_forward", args, ("Z",),
                           "return np.where(Z > 0, Z, alpha * Z), a new array")
            alpha = args[1] if len(args) == 2 else 0.01
            got, expected = answer.value, ctx.ref.leaky_relu_forward(*args)
            if close(got, np.maximum(Z, 0)) and not close(got, expected):
                raise Fail("negative entries came out as 0, as in ReLU: leaky ReLU keeps alpha * Z "
                           "there", "slope alpha missing")
            if alpha > 1 and close(got, np.maximum(Z, alpha * Z)) and not close(got, expected):
                raise Fail(f"np.maximum(Z, alpha * Z) is leaky ReLU only while alpha <= 1; alpha is "
                           f"any slope (here {alpha:.3g}): use np.where(Z > 0, Z, alpha * Z)",
                           "maximum form fails for alpha > 1")
            if len(args) == 1 and not close(got, expected):
                raise Fail(f"leaky_relu_forward(Z) with the default alpha = 0.01 is wrong\n  your "
                           f"output: {np.asarray(got).ravel()[:6]}", "default alpha")
            expect_array(got, expected, f"leaky_relu_forward(Z, alpha={alpha:.3g})",
                         type_name=answer.type_name)


def _leaky_backward(ctx, Z: np.ndarray, alpha: float, dA: np.ndarray):
    answer = _call(ctx, "leaky_relu_backward", (dA, Z, alpha), ("dA", "Z"),
                   "multiply dA by the slopes (1 or alpha) into a new array")
    return answer, ctx.ref.leaky_relu_backward(dA, Z, alpha)


@check("leaky_relu_backward.values", function="leaky_relu_backward", points=2,
       description="dA times 1 or alpha (inputs away from 0), inputs unchanged; gradient-checked")
def leaky_relu_backward_values(ctx) -> None:
    for shape, low_high in zip(SHAPES, ALPHAS):
        dA, Z, alpha = inputs.normal(ctx.rng, *shape), inputs.without_zeros(ctx.rng, *shape), \
            _alpha(ctx, low_high)
        answer, expected = _leaky_backward(ctx, Z, alpha, dA)
        got = answer.value
        try:
            if close(got, dA * (Z > 0)) and not close(got, expected):
                raise Fail("where Z < 0 the gradient was set to 0, as in ReLU: leaky ReLU passes "
                           "alpha * dA there", "slope alpha missing")
            if close(got, np.where(Z > 0, 1.0, alpha)) and not close(got, expected):
                raise Fail("dZ is the slope alone: multiply it by the upstream gradient dA",
                           "upstream gradient dA ignored")
            expect_array(got, expected, "dZ", type_name=answer.type_name)
        except Fail as fail:
            raise with_note(fail, _note(ctx, "leaky_relu_forward", dA, Z, got, (alpha,))) from None
    dA, Z = inputs.normal(ctx.rng, 3, 4), inputs.without_zeros(ctx.rng, 3, 4)
    answer = ctx.student.call("leaky_relu_backward", (dA, Z))
    expect_array(answer.value, ctx.ref.leaky_relu_backward(dA, Z), "dZ with the default alpha = 0.01",
                 type_name=answer.type_name)


@check("leaky_relu_backward.at-zero", function="leaky_relu_backward", points=1,
       description="slope alpha where Z == 0 exactly (the Z <= 0 branch)")
def leaky_relu_backward_zero(ctx) -> None:
    dA, Z, alpha = inputs.normal(ctx.rng, 5, 4), inputs.with_exact_zeros(ctx.rng, 5, 4), \
        _alpha(ctx, ALPHAS[0])
    answer, expected = _leaky_backward(ctx, Z, alpha, dA)
    if close(answer.value, dA * np.where(Z >= 0, 1.0, alpha)) and not close(answer.value, expected):
        raise Fail("at Z == 0 the slope came out as 1; it is alpha: use Z > 0 for the slope 1 (the "
                   "Z <= 0 branch owns the kink, as ReLU'(0) = 0)", "leaky ReLU slope at 0")
    expect_array(answer.value, expected, "dZ", type_name=answer.type_name)


# ---------------------------------------------------------------- ELU
_ELU_HINT = ("np.where evaluates alpha * (np.exp(Z) - 1) for every entry, so exp overflows for "
             "large positive Z: take np.exp(np.minimum(Z, 0))")


@check("elu_forward.values", function="elu_forward", points=2,
       description="Z where Z > 0, alpha (exp(Z) - 1) elsewhere, default alpha 1 and others")
def elu_forward_values(ctx) -> None:
    for shape, low_high in zip(SHAPES, ALPHAS):
        Z = inputs.with_exact_zeros(ctx.rng, *shape) * 2
        for args in ((Z,), (Z, _alpha(ctx, low_high))):
            answer = _call(ctx, "elu_forward", args, ("Z",), "compute the result as a new array")
            got, expected = answer.value, ctx.ref.elu_forward(*args)
            alpha = args[1] if len(args) == 2 else 1.0
            with np.errstate(all="ignore"):
                if close(got, np.where(Z > 0, Z, alpha * np.exp(Z))) and not close(got, expected):
                    raise Fail("for Z <= 0, ELU is alpha * (exp(Z) - 1): the - 1 is missing "
                               "(ELU(0) must be 0)", "exp(Z) - 1")
            expect_array(got, expected, f"elu_forward(Z, alpha={alpha:.3g})", type_name=answer.type_name)


@check("elu_forward.stable", function="elu_forward", points=2,
       description="no overflow for Z ~ 1e3 (exp is not evaluated on large positive Z)")
def elu_forward_stable(ctx) -> None:
    Z = np.concatenate([ctx.rng.uniform(710, 1e4, 4), -ctx.rng.uniform(1, 1e3, 4), [0.0, 1e3]])
    Z = Z[ctx.rng.permutation(Z.size)].reshape(2, 5)
    alpha = _alpha(ctx, ALPHAS[2])
    answer = overflow_guard(ctx, "elu_forward", (Z, alpha), _ELU_HINT)
    expect_array(answer.value, ctx.ref.elu_forward(Z, alpha), "elu_forward(Z)", type_name=answer.type_name)


@check("elu_backward.values", function="elu_backward", points=2,
       description="dA times 1 or alpha exp(Z), inputs unchanged, no overflow; gradient-checked")
def elu_backward_values(ctx) -> None:
    for shape, low_high in zip(SHAPES, ALPHAS):
        dA, Z, alpha = inputs.normal(ctx.rng, *shape), inputs.without_zeros(ctx.rng, *shape) * 2, \
            _alpha(ctx, low_high)
        answer = _call(ctx, "elu_backward", (dA, Z, alpha), ("dA", "Z"),
                       "build the gradient as a new array", fp_errors="raise")
        got, expected = answer.value, ctx.ref.elu_backward(dA, Z, alpha)
        try:
            if close(got, np.where(Z > 0, dA, alpha * np.exp(Z))) and not close(got, expected):
                raise Fail("for Z <= 0 the gradient is dA * alpha * exp(Z): dA is missing there",
                           "upstream gradient dA ignored")
            expect_array(got, expected, "dZ", type_name=answer.type_name)
        except Fail as fail:
            raise with_note(fail, _note(ctx, "elu_forward", dA, Z, got, (alpha,))) from None
    dA = inputs.normal(ctx.rng, 2, 3)
    Z = np.array([[800.0, 1e3, -2.0], [5e3, -1e3, 3.0]])
    answer = overflow_guard(ctx, "elu_backward", (dA, Z), _ELU_HINT)
    expect_array(answer.value, ctx.ref.elu_backward(dA, Z), "dZ for large Z with the default alpha",
                 type_name=answer.type_name)


@check("elu_backward.at-zero", function="elu_backward", points=1,
       description="gradient alpha dA where Z == 0 exactly (alpha != 1)")
def elu_backward_zero(ctx) -> None:
    dA, Z = inputs.normal(ctx.rng, 5, 4), inputs.with_exact_zeros(ctx.rng, 5, 4)
    alpha = _alpha(ctx, ALPHAS[1] if ctx.rng.random() < 0.5 else ALPHAS[2])
    answer = ctx.student.call("elu_backward", (dA, Z, alpha))
    expected = ctx.ref.elu_backward(dA, Z, alpha)
    with np.errstate(all="ignore"):
        at_one = dA * np.where(Z >= 0, 1.0, alpha * np.exp(Z))
    if close(answer.value, at_one) and not close(answer.value, expected):
        raise Fail(f"at Z == 0 the gradient came out as dA; with alpha = {alpha:.3g} it is alpha * dA "
                   "(the Z <= 0 branch, alpha * exp(0)): use Z > 0 for the slope 1",
                   "ELU gradient at 0")
    expect_array(answer.value, expected, "dZ", type_name=answer.type_name)
