"""Part 1: tanh, leaky ReLU and ELU, forward and backward.

Every backward check compares with the reference and, when it fails, adds a gradient check of the
student's gradient against the numerical gradient of their *own* forward ("your backward does not
match your forward" versus "it matches, so the forward differs too"). The kinks are tested apart:
at Z == 0 exactly, leaky ReLU's slope is alpha and ELU's gradient is alpha (both take the Z <= 0
branch, the convention of ReLU'(0) = 0 in the first assignment). Leaky ReLU and ELU are called
with alpha > 1 too (the docstrings allow any slope). Extreme inputs (|Z| ~ 1e3) are judged by the
answer alone (autograde_tests.stable).

The diagnoses each check may name are declared next to it; each is confirmed by its alternative
formula on the check's own inputs (autograde_tests.diagnosis).
"""

from __future__ import annotations

import numpy as np

from autograde_tests import inputs
from autograde_tests.compare import Fail, expect_array, expect_unchanged
from autograde_tests.diagnosis import Diagnosis, Trail, declare, same
from autograde_tests.engine import check
from autograde_tests.messages import message
from autograde_tests.probes import own_forward_note, with_note
from autograde_tests.stable import extreme_call, judge_array

#: What to do instead of changing an argument in place (compare.expect_unchanged).
EXTREME = message("activations.extreme-name", "{call} for |Z| ~ 1e3")
EXTREME_DEFAULT_ALPHA = message("activations.extreme-name-default-alpha",
                                "{call} for |Z| ~ 1e3 with the default alpha")
HINTS = {m.key.split(":", 1)[1]: m() for m in (
    message("tanh_forward.hint", "np.tanh(Z) gives a new array: never write into Z (no out=Z, "
            "no clipping in place)"),
    message("elu_forward.hint", "compute the result as a new array"),
    message("leaky_relu_forward.hint", "compute the result into a new array (np.where gives "
            "one), never write into Z"),
    message("tanh_backward.hint-da",
        "compute dA * (1 - np.tanh(Z) ** 2) as a new array"),
    message("tanh_backward.hint-z",
        "compute np.tanh(Z) as a new array, without writing to Z (no clipping in "
        "place)"),
    message("leaky_relu_backward.hint-da",
        "multiply dA by the slopes (1 or alpha) into a new array"),
    message("leaky_relu_backward.hint-z",
        "build the slopes as a new array, without writing to Z"),
    message("elu_backward.hint-da",
        "build the gradient as a new array"),
    message("elu_backward.hint-z",
        "compute the slopes as a new array, without writing to Z"),
)}

#: Shapes of the element-wise checks: a batch, a vector, a single entry, a batch again.
SHAPES = ((4, 3), (6,), (1, 1), (5, 4))
#: Slopes tried besides the defaults (one per shape); alpha = 1 would hide ELU's kink, so it is
#: never drawn, and the last range is above 1 (np.maximum(Z, alpha * Z) is wrong there).
ALPHAS = ((0.05, 0.3), (0.3, 0.8), (0.1, 0.9), (1.5, 3.0))


def _alpha(ctx, low_high: tuple[float, float]) -> float:
    return float(ctx.rng.uniform(*low_high))


def _call(ctx, fn: str, args: tuple, names: tuple[str, ...], hint, **kwargs):
    """Call with the arguments read back, failing when an array argument was changed in place."""
    answer = ctx.student.call(fn, args, return_args=True, **kwargs)
    arrays = tuple(a for a in args if isinstance(a, np.ndarray))
    expect_unchanged(arrays, answer.args_after[:len(arrays)], names, hint=hint, function=fn)
    return answer


def _note(ctx, forward: str, dA: np.ndarray, Z: np.ndarray, got, extra: tuple = ()) -> str:
    """The gradient check of a failing backward against the student's own forward."""
    def f(v):
        out = ctx.student.call(forward, (v, *extra)).value
        return float(np.sum(np.asarray(out, dtype=float) * dA))
    return own_forward_note(ctx, got, f, Z, "dZ", forward)


def _default_alpha_wrong(fn: str, default: float) -> Diagnosis:
    return Diagnosis(f"{fn}.default-alpha", "wrong default alpha",
                     f"{fn}(...) without alpha is wrong while every call with alpha given is "
                     f"right: keep the default of the signature, alpha={default:g}")


# ---------------------------------------------------------------- tanh
def _tanh_exp(Z):
    return (np.exp(Z) - np.exp(-Z)) / (np.exp(Z) + np.exp(-Z))


TANH = declare(
    Diagnosis("tanh_forward.exp-formula", "tanh from exponentials overflows",
              "tanh_forward gives NaN for |Z| ~ 1e3, exactly what (exp(Z) - exp(-Z)) / "
              "(exp(Z) + exp(-Z)) gives there (inf / inf): use np.tanh(Z), which never overflows",
              _tanh_exp),
)
TANH_BACKWARD = declare(
    Diagnosis("tanh_backward.uses-z", "1 - Z**2 instead of 1 - tanh(Z)**2",
              "dZ equals dA * (1 - Z**2): the derivative is 1 - tanh(Z)**2, with the tanh of the "
              "input Z", lambda dA, Z: dA * (1 - Z ** 2)),
    Diagnosis("tanh_backward.not-squared", "tanh derivative not squared",
              "dZ equals dA * (1 - tanh(Z)): the derivative squares tanh, 1 - tanh(Z)**2",
              lambda dA, Z: dA * (1 - np.tanh(Z))),
    Diagnosis("tanh_backward.uses-tanh", "tanh instead of its derivative",
              "dZ equals dA * tanh(Z), the function itself: the derivative of tanh is "
              "1 - tanh(Z)**2", lambda dA, Z: dA * np.tanh(Z)),
    Diagnosis("tanh_backward.no-upstream", "upstream gradient dA ignored",
              "dZ equals the slope 1 - tanh(Z)**2 alone: multiply it by the upstream gradient dA "
              "(chain rule)", lambda dA, Z: 1 - np.tanh(Z) ** 2),
)


@check("tanh_forward.values", function="tanh_forward", points=3,
       description="tanh element-wise for several shapes, finite for |Z| ~ 1e3, input unchanged")
def tanh_forward_values(ctx) -> None:
    hint = HINTS["tanh_forward.hint"]
    trail = Trail(TANH.values())
    for shape in SHAPES:
        Z = inputs.normal(ctx.rng, *shape, scale=3)
        answer = _call(ctx, "tanh_forward", (Z,), ("Z",), hint)
        expected = ctx.ref.tanh_forward(Z)
        trail.diagnose((Z,), answer.value, expected)
        expect_array(answer.value, expected, "tanh(Z)", type_name=answer.type_name)
    Z = np.array([[-1e3, -20.0, 0.0], [20.0, 800.0, 1e3]]) * ctx.rng.uniform(0.9, 1.0)
    answer, event = extreme_call(ctx, "tanh_forward", (Z,), ("Z",), hint)
    expected = ctx.ref.tanh_forward(Z)
    trail.diagnose((Z,), answer.value, expected)
    judge_array(ctx, "tanh_forward", answer, event, expected, EXTREME(call="tanh(Z)"))


@check("tanh_backward.values", function="tanh_backward", points=3,
       description="dA (1 - tanh(Z)^2) for several shapes, finite for |Z| ~ 1e3, inputs "
                   "unchanged; gradient-checked")
def tanh_backward_values(ctx) -> None:
    hints = {"dA": HINTS["tanh_backward.hint-da"], "Z": HINTS["tanh_backward.hint-z"]}
    trail = Trail(TANH_BACKWARD.values())
    for shape in SHAPES:
        dA, Z = inputs.normal(ctx.rng, *shape), inputs.normal(ctx.rng, *shape, scale=2)
        answer = _call(ctx, "tanh_backward", (dA, Z), ("dA", "Z"), hints)
        got, expected = answer.value, ctx.ref.tanh_backward(dA, Z)
        try:
            trail.diagnose((dA, Z), got, expected)
            expect_array(got, expected, "dZ", type_name=answer.type_name)
        except Fail as fail:
            raise with_note(fail, _note(ctx, "tanh_forward", dA, Z, got)) from None
    dA = inputs.normal(ctx.rng, 2, 3)
    Z = np.array([[-1e3, -30.0, 0.5], [800.0, 1e3, -2.0]]) * ctx.rng.uniform(0.9, 1.0)
    answer, event = extreme_call(ctx, "tanh_backward", (dA, Z), ("dA", "Z"), hints)
    judge_array(ctx, "tanh_backward", answer, event, ctx.ref.tanh_backward(dA, Z),
                EXTREME(call="dZ"))


# ---------------------------------------------------------------- leaky ReLU
LEAKY = declare(
    Diagnosis("leaky_relu_forward.is-relu", "slope alpha missing",
              "negative entries came out as 0, as in ReLU: leaky ReLU keeps alpha * Z there",
              lambda Z, alpha=0.01: np.maximum(Z, 0.0)),
    Diagnosis("leaky_relu_forward.maximum-form", "maximum form fails for alpha > 1",
              "leaky_relu_forward(Z, alpha={alpha}) equals np.maximum(Z, alpha * Z), which is "
              "leaky ReLU only while alpha <= 1 (alpha may be any slope): use "
              "np.where(Z > 0, Z, alpha * Z)",
              lambda Z, alpha=0.01: np.maximum(Z, alpha * Z)),
    Diagnosis("leaky_relu_forward.fixed-alpha", "alpha argument ignored",
              "leaky_relu_forward(Z, alpha={alpha}) used alpha = 0.01: use the argument alpha",
              lambda Z, alpha=0.01: np.where(Z > 0, Z, 0.01 * Z)),
    _default_alpha_wrong("leaky_relu_forward", 0.01),
)


def _with_alpha_first(ctx, cases, call, alphas=ALPHAS) -> None:
    """Run `call(args, given)` for every case with alpha given, then without (the default)."""
    for case, low_high in zip(cases, alphas):
        call((*case, _alpha(ctx, low_high)), given=True)
    for case in cases:
        call(case, given=False)


def _default_differs(ctx, fn: str, args: tuple, default: float, expected) -> bool:
    """The call without alpha was wrong: is the same call with alpha = the documented default
    right? Then the signature's default is what differs (observed, not guessed)."""
    return same(ctx.student.call(fn, (*args, default)).value, expected)


@check("leaky_relu_forward.values", function="leaky_relu_forward", points=3,
       description="Z where Z > 0, alpha Z elsewhere, alpha given (also above 1) and the default "
                   "0.01, exact zeros")
def leaky_relu_forward_values(ctx) -> None:
    cases = [(inputs.with_exact_zeros(ctx.rng, *shape),) for shape in SHAPES]
    trail = Trail(LEAKY.values())

    def call(args, given):
        answer = _call(ctx, "leaky_relu_forward", args, ("Z",),
                       HINTS["leaky_relu_forward.hint"])
        got, expected = answer.value, ctx.ref.leaky_relu_forward(*args)
        alpha = args[1] if given else 0.01
        trail.diagnose(args, got, expected, alpha=f"{alpha:.3g}")
        if not same(got, expected):
            if not given and _default_differs(ctx, "leaky_relu_forward", args, 0.01, expected):
                raise Fail.of(LEAKY["default-alpha"])
        expect_array(got, expected, f"leaky_relu_forward(Z, alpha={alpha:.3g})",
                     type_name=answer.type_name)

    _with_alpha_first(ctx, cases, call)


LEAKY_BACKWARD = declare(
    Diagnosis("leaky_relu_backward.is-relu", "slope alpha missing",
              "where Z < 0 the gradient came out as 0, as in ReLU: leaky ReLU passes alpha * dA "
              "there", lambda dA, Z, alpha=0.01: dA * (Z > 0)),
    Diagnosis("leaky_relu_backward.no-upstream", "upstream gradient dA ignored",
              "dZ equals the slope (1 or alpha) alone: multiply it by the upstream gradient dA",
              lambda dA, Z, alpha=0.01: np.where(Z > 0, 1.0, alpha)),
    Diagnosis("leaky_relu_backward.ge-zero", "slope 1 at Z == 0",
              "at Z == 0 the slope came out as 1; it is alpha (the Z <= 0 branch owns the kink, as "
              "ReLU'(0) = 0): the mask of slope 1 is Z > 0, not Z >= 0",
              lambda dA, Z, alpha=0.01: dA * np.where(Z >= 0, 1.0, alpha)),
    Diagnosis("leaky_relu_backward.fixed-alpha", "alpha argument ignored",
              "leaky_relu_backward(dA, Z, alpha={alpha}) used alpha = 0.01: use the argument alpha",
              lambda dA, Z, alpha=0.01: dA * np.where(Z > 0, 1.0, 0.01)),
    Diagnosis("leaky_relu_backward.uses-activation", "multiplies by the activation",
              "dZ equals dA times the activation's output (Z or alpha * Z): multiply dA by the "
              "slope, 1 where Z > 0 and alpha elsewhere",
              lambda dA, Z, alpha=0.01: dA * np.where(Z > 0, Z, alpha * Z)),
    _default_alpha_wrong("leaky_relu_backward", 0.01),
)


def _leaky_backward(ctx, trail: Trail, args: tuple, given: bool, gradcheck: bool = True) -> None:
    answer = _call(ctx, "leaky_relu_backward", args, ("dA", "Z"),
                   {"dA": HINTS["leaky_relu_backward.hint-da"],
                    "Z": HINTS["leaky_relu_backward.hint-z"]})
    got, expected = answer.value, ctx.ref.leaky_relu_backward(*args)
    alpha = args[2] if given else 0.01
    try:
        trail.diagnose(args, got, expected, alpha=f"{alpha:.3g}")
        if not same(got, expected):
            if not given and _default_differs(ctx, "leaky_relu_backward", args, 0.01, expected):
                raise Fail.of(LEAKY_BACKWARD["default-alpha"])
        expect_array(got, expected, "dZ", type_name=answer.type_name)
    except Fail as fail:
        if not gradcheck:
            raise
        raise with_note(fail, _note(ctx, "leaky_relu_forward", args[0], args[1], got,
                                    args[2:])) from None


@check("leaky_relu_backward.values", function="leaky_relu_backward", points=2,
       description="dA times 1 or alpha (inputs away from 0), alpha given and the default, inputs "
                   "unchanged; gradient-checked")
def leaky_relu_backward_values(ctx) -> None:
    cases = [(inputs.normal(ctx.rng, *shape), inputs.without_zeros(ctx.rng, *shape))
             for shape in SHAPES]
    trail = Trail(LEAKY_BACKWARD.values())
    _with_alpha_first(ctx, cases, lambda args, given: _leaky_backward(ctx, trail, args, given))


@check("leaky_relu_backward.at-zero", function="leaky_relu_backward", points=1,
       description="slope alpha where Z == 0 exactly (the Z <= 0 branch)")
def leaky_relu_backward_zero(ctx) -> None:
    dA, Z = inputs.normal(ctx.rng, 5, 4), inputs.with_exact_zeros(ctx.rng, 5, 4)
    _leaky_backward(ctx, Trail(LEAKY_BACKWARD.values()), (dA, Z, _alpha(ctx, ALPHAS[0])), True,
                    gradcheck=False)


# ---------------------------------------------------------------- ELU
def _elu_masks(Z, alpha=1.0):
    return Z * (Z > 0) + alpha * (np.exp(Z) - 1) * (Z <= 0)


ELU = declare(
    Diagnosis("elu_forward.is-relu", "ReLU instead of ELU",
              "negative entries came out as 0, as in ReLU: for Z <= 0, ELU is alpha * (exp(Z) - 1)",
              lambda Z, alpha=1.0: np.maximum(Z, 0.0)),
    Diagnosis("elu_forward.minus-one-missing", "exp(Z) - 1",
              "for Z <= 0 the output equals alpha * exp(Z): ELU is alpha * (exp(Z) - 1) there (the "
              "- 1 makes ELU(0) = 0)",
              lambda Z, alpha=1.0: np.where(Z > 0, Z, alpha * np.exp(np.minimum(Z, 0)))),
    Diagnosis("elu_forward.fixed-alpha", "alpha argument ignored",
              "elu_forward(Z, alpha={alpha}) used alpha = 1: use the argument alpha",
              lambda Z, alpha=1.0: np.where(Z > 0, Z, np.exp(np.minimum(Z, 0)) - 1)),
    Diagnosis("elu_forward.masks-times-exp", "inf * 0 from masks",
              "elu_forward gives NaN for large positive Z, exactly what Z * (Z > 0) + alpha * "
              "(np.exp(Z) - 1) * (Z <= 0) gives there (inf * 0 = NaN): take the exponential of "
              "np.minimum(Z, 0), which is never large", _elu_masks),
    _default_alpha_wrong("elu_forward", 1.0),
)
ELU_BACKWARD = declare(
    Diagnosis("elu_backward.no-upstream", "upstream gradient dA ignored",
              "for Z <= 0 the gradient equals alpha * exp(Z) without dA: it is dA * alpha * exp(Z)",
              lambda dA, Z, alpha=1.0: np.where(Z > 0, dA, alpha * np.exp(np.minimum(Z, 0)))),
    Diagnosis("elu_backward.ge-zero", "ELU gradient at 0",
              "at Z == 0 the gradient came out as dA; with alpha = {alpha} it is alpha * dA (the "
              "Z <= 0 branch, alpha * exp(0)): the mask of slope 1 is Z > 0, not Z >= 0",
              lambda dA, Z, alpha=1.0: dA * np.where(Z >= 0, 1.0, alpha * np.exp(np.minimum(Z, 0)))),
    Diagnosis("elu_backward.fixed-alpha", "alpha argument ignored",
              "elu_backward(dA, Z, alpha={alpha}) used alpha = 1: the slope for Z <= 0 is "
              "alpha * exp(Z)",
              lambda dA, Z, alpha=1.0: dA * np.where(Z > 0, 1.0, np.exp(np.minimum(Z, 0)))),
    _default_alpha_wrong("elu_backward", 1.0),
)


@check("elu_forward.values", function="elu_forward", points=2,
       description="Z where Z > 0, alpha (exp(Z) - 1) elsewhere, alpha given (also above 1) and "
                   "the default 1")
def elu_forward_values(ctx) -> None:
    cases = [(inputs.with_exact_zeros(ctx.rng, *shape) * 2,) for shape in SHAPES]
    trail = Trail(ELU.values())

    def call(args, given):
        answer = _call(ctx, "elu_forward", args, ("Z",), HINTS["elu_forward.hint"])
        got, expected = answer.value, ctx.ref.elu_forward(*args)
        alpha = args[1] if given else 1.0
        trail.diagnose(args, got, expected, alpha=f"{alpha:.3g}")
        if not same(got, expected):
            if not given and _default_differs(ctx, "elu_forward", args, 1.0, expected):
                raise Fail.of(ELU["default-alpha"])
        expect_array(got, expected, f"elu_forward(Z, alpha={alpha:.3g})", type_name=answer.type_name)

    _with_alpha_first(ctx, cases, call)


@check("elu_forward.stable", function="elu_forward", points=2,
       description="finite, exact output for Z ~ 1e3 of both signs, input unchanged")
def elu_forward_stable(ctx) -> None:
    Z = np.concatenate([ctx.rng.uniform(710, 1e4, 4), -ctx.rng.uniform(1, 1e3, 4), [0.0, 1e3]])
    Z = Z[ctx.rng.permutation(Z.size)].reshape(2, 5)
    alpha = _alpha(ctx, ALPHAS[3])
    answer, event = extreme_call(ctx, "elu_forward", (Z, alpha), ("Z",),
                                 HINTS["elu_forward.hint"])
    expected = ctx.ref.elu_forward(Z, alpha)
    Trail(ELU.values()).diagnose((Z, alpha), answer.value, expected, alpha=f"{alpha:.3g}")
    judge_array(ctx, "elu_forward", answer, event, expected, EXTREME(call="elu_forward(Z)"))


def _elu_backward(ctx, trail: Trail, args: tuple, given: bool, gradcheck: bool = True) -> None:
    answer = _call(ctx, "elu_backward", args, ("dA", "Z"),
                   {"dA": HINTS["elu_backward.hint-da"], "Z": HINTS["elu_backward.hint-z"]})
    got, expected = answer.value, ctx.ref.elu_backward(*args)
    alpha = args[2] if given else 1.0
    try:
        trail.diagnose(args, got, expected, alpha=f"{alpha:.3g}")
        if not same(got, expected):
            if not given and _default_differs(ctx, "elu_backward", args, 1.0, expected):
                raise Fail.of(ELU_BACKWARD["default-alpha"])
        expect_array(got, expected, "dZ", type_name=answer.type_name)
    except Fail as fail:
        if not gradcheck:
            raise
        raise with_note(fail, _note(ctx, "elu_forward", args[0], args[1], got, args[2:])) from None


@check("elu_backward.values", function="elu_backward", points=2,
       description="dA times 1 or alpha exp(Z), alpha given and the default, inputs unchanged, "
                   "finite for Z ~ 1e3; gradient-checked")
def elu_backward_values(ctx) -> None:
    cases = [(inputs.normal(ctx.rng, *shape), inputs.without_zeros(ctx.rng, *shape) * 2)
             for shape in SHAPES]
    trail = Trail(ELU_BACKWARD.values())
    _with_alpha_first(ctx, cases, lambda args, given: _elu_backward(ctx, trail, args, given))
    dA = inputs.normal(ctx.rng, 2, 3)
    Z = np.array([[800.0, 1e3, -2.0], [5e3, -1e3, 3.0]])
    answer, event = extreme_call(ctx, "elu_backward", (dA, Z), ("dA", "Z"),
                                 "build the gradient as a new array")
    judge_array(ctx, "elu_backward", answer, event, ctx.ref.elu_backward(dA, Z),
                EXTREME_DEFAULT_ALPHA(call="dZ"))


@check("elu_backward.at-zero", function="elu_backward", points=1,
       description="gradient alpha dA where Z == 0 exactly (alpha != 1)")
def elu_backward_zero(ctx) -> None:
    dA, Z = inputs.normal(ctx.rng, 5, 4), inputs.with_exact_zeros(ctx.rng, 5, 4)
    alpha = _alpha(ctx, ALPHAS[1] if ctx.rng.random() < 0.5 else ALPHAS[3])
    _elu_backward(ctx, Trail(ELU_BACKWARD.values()), (dA, Z, alpha), True, gradcheck=False)
