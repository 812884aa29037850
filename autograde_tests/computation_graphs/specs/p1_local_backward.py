"""Part 1a: the local backward functions of the autograd, and the loss node.

Each function is pure (arrays in, new arrays out), so it is checked alone, as in the other
assignments: random inputs of several shapes (broadcast ones for +, * and unbroadcast; exact zeros
for ReLU), the in-place check every call of arrays gets, and the comparison with the reference.
The forwards of these ops are the given Tensor class's NumPy one-liners; only cross_entropy is the
student's own, so cross_entropy_backward is gradient-checked against it when it fails.
"""

from __future__ import annotations

import numpy as np

from autograde_tests import inputs
from autograde_tests.compare import Fail, expect_array, expect_float, expect_unchanged
from autograde_tests.diagnosis import Diagnosis, Trail, declare
from autograde_tests.engine import check
from autograde_tests.messages import message
from autograde_tests.probes import own_forward_note, plant_extreme_row, with_note
from autograde_tests.stable import extreme_call, judge_array, judge_float

#: (grad shape, input shape) pairs of unbroadcast: a bias over a batch, size-1 axes kept, a
#: scalar, a leading batch axis, and no broadcasting at all.
UNBROADCAST_CASES = (((5, 3), (3,)), ((4, 6), (1, 6)), ((4, 6), (4, 1)), ((3, 2), ()),
                     ((2, 4, 3), (4, 3)), ((2, 4, 3), (1, 3)), ((6,), (6,)), ((1, 4), (4,)))
#: (a shape, b shape) of the element-wise binary ops: a bias added to a batch both ways, equal
#: shapes, a scalar (a 0-d array, as a constant Tensor holds it), a column and a row.
BINARY_CASES = (((5, 3), (3,)), ((4, 2), (4, 2)), ((), (3, 4)), ((4, 1), (1, 3)), ((1,), (6,)))
#: Shapes of the element-wise and reduction ops.
SHAPES = ((4, 3), (6,), (1, 1), (2, 3, 2))
HINT = message("local_backward.hint", "return a new array; never write into the arguments (no +=, no out=)")()
NOT_PAIR = message("local_backward.not-pair",
                   "{function} returns a tuple (da, db) with one gradient per input, got {kind}")
UNBROADCAST_NAME = message("unbroadcast.name", "unbroadcast(grad of shape {grad_shape}, {shape})")
BINARY_NAME = message("local_backward.binary-name", "{grad} (a of shape {a_shape}, b of shape {b_shape})")
DA_FOR_A = message("local_backward.da-for-a", "da for a of shape {shape}")
DA_FOR_SHAPE = message("local_backward.da-for-shape", "da for shape {shape}")
LOSS_EXTREME = message("cross_entropy.extreme-name", "the loss with a row of logits ~ 1e3")
DLOGITS_FOR = message("cross_entropy_backward.name", "dlogits for logits {shape}")
DLOGITS_EXTREME = message("cross_entropy_backward.extreme-name", "dlogits with a row of logits ~ 1e3")


def _own(ctx) -> dict:
    """add_backward and mul_backward call unbroadcast (as the reference does): the reference's,
    so that each is checked on its own."""
    return {"unbroadcast": ctx.ref.unbroadcast}


def _call(ctx, fn: str, args: tuple, names: tuple[str, ...], hint=HINT, **kwargs):
    """Call with the arguments read back, failing when an array argument was changed in place."""
    answer = ctx.student.call(fn, args, return_args=True, **kwargs)
    expect_unchanged(args[:len(names)], answer.args_after[:len(names)], names, hint=hint,
                     function=fn)
    return answer


def _operand(ctx, shape: tuple[int, ...]):
    """An input of the binary ops: an array of the shape (0-d for ())."""
    return np.array(inputs.normal(ctx.rng, *shape))


def _pair(answer, fn: str):
    value = answer.value
    if not isinstance(value, tuple | list) or len(value) != 2:
        raise Fail(NOT_PAIR(function=fn, kind=answer.type_name))
    return value


# ---------------------------------------------------------------- unbroadcast
@check("unbroadcast.values", function="unbroadcast", points=4,
       description="grad summed to the input's shape: leading axes and kept size-1 axes, a bias "
                   "over a batch, a scalar, no broadcasting; grad unchanged")
def unbroadcast_values(ctx) -> None:
    for grad_shape, shape in UNBROADCAST_CASES:
        grad = inputs.normal(ctx.rng, *grad_shape)
        answer = _call(ctx, "unbroadcast", (grad, shape), ("grad",))
        expect_array(answer.value, ctx.ref.unbroadcast(grad, shape),
                     UNBROADCAST_NAME(grad_shape=grad_shape, shape=shape), type_name=answer.type_name)


# ---------------------------------------------------------------- + * @
@check("add_backward.values", function="add_backward", points=3,
       description="(dout, dout) summed to each input's shape, broadcast inputs both ways, "
                   "inputs unchanged (with the reference's unbroadcast)")
def add_backward_values(ctx) -> None:
    for a_shape, b_shape in BINARY_CASES:
        a, b = _operand(ctx, a_shape), _operand(ctx, b_shape)
        dout = inputs.normal(ctx.rng, *np.broadcast_shapes(a_shape, b_shape))
        answer = _call(ctx, "add_backward", (dout, a, b), ("dout", "a", "b"), substitute=_own(ctx))
        da, db = _pair(answer, "add_backward")
        exp_a, exp_b = ctx.ref.add_backward(dout, a, b)
        expect_array(da, exp_a, BINARY_NAME(grad="da", a_shape=a_shape, b_shape=b_shape))
        expect_array(db, exp_b, BINARY_NAME(grad="db", a_shape=a_shape, b_shape=b_shape))


@check("mul_backward.values", function="mul_backward", points=3,
       description="(dout b, dout a) summed to each input's shape, broadcast inputs both ways, "
                   "inputs unchanged (with the reference's unbroadcast)")
def mul_backward_values(ctx) -> None:
    for a_shape, b_shape in BINARY_CASES:
        a, b = _operand(ctx, a_shape), _operand(ctx, b_shape)
        dout = inputs.normal(ctx.rng, *np.broadcast_shapes(a_shape, b_shape))
        answer = _call(ctx, "mul_backward", (dout, a, b), ("dout", "a", "b"), substitute=_own(ctx))
        da, db = _pair(answer, "mul_backward")
        exp_a, exp_b = ctx.ref.mul_backward(dout, a, b)
        expect_array(da, exp_a, BINARY_NAME(grad="da", a_shape=a_shape, b_shape=b_shape))
        expect_array(db, exp_b, BINARY_NAME(grad="db", a_shape=a_shape, b_shape=b_shape))


#: Hidden-side only (`local=False`): the check cell's message already says what the shapes are.
MATMUL_BACKWARD = declare(
    Diagnosis("matmul_backward.swapped", "da and db swapped",
              "the answer is (a.T @ dout, dout @ b.T), the two gradients in the wrong order: "
              "return (da, db) = (dout @ b.T, a.T @ dout)",
              lambda dout, a, b: (a.T @ dout, dout @ b.T), local=False),
    Diagnosis("matmul_backward.transposed", "both gradients transposed",
              "the answer is (b @ dout.T, dout.T @ a), the transposes of da and db: "
              "da = dout @ b.T has a's shape and db = a.T @ dout has b's",
              lambda dout, a, b: (b @ dout.T, dout.T @ a), local=False),
)


@check("matmul_backward.values", function="matmul_backward", points=4,
       description="(dout b^T, a^T dout) for non-square shapes and N = 1, inputs unchanged")
def matmul_backward_values(ctx) -> None:
    trail = Trail(MATMUL_BACKWARD.values())
    for n, k, m in inputs.LAYER_CASES:
        a, b, dout = (inputs.normal(ctx.rng, n, k), inputs.normal(ctx.rng, k, m),
                      inputs.normal(ctx.rng, n, m))
        answer = _call(ctx, "matmul_backward", (dout, a, b), ("dout", "a", "b"))
        expected = ctx.ref.matmul_backward(dout, a, b)
        trail.diagnose((dout, a, b), answer.value, expected)
        da, db = _pair(answer, "matmul_backward")
        exp_a, exp_b = expected
        expect_array(da, exp_a, f"da (a {a.shape}, b {b.shape})")
        expect_array(db, exp_b, f"db (a {a.shape}, b {b.shape})")


# ---------------------------------------------------------------- reductions
MEAN_BACKWARD = declare(
    Diagnosis("mean_backward.sum", "the gradient of a sum, not of a mean",
              "da equals dout everywhere, the gradient of a.sum(): the mean divides by the number "
              "of entries, da = dout / a.size",
              lambda dout, a: np.full(np.shape(a), float(dout))),
)


def _dout(ctx, i: int):
    """The upstream gradient of a scalar node: a float, or a 0-d array (what the Tensor hands
    over) every other call."""
    value = float(ctx.rng.uniform(0.5, 3.0) * ctx.rng.choice([-1, 1]))
    return value if i % 2 == 0 else np.array(value)


@check("sum_backward.values", function="sum_backward", points=2,
       description="dout in every entry of a's shape, dout a float or a 0-d array, a unchanged")
def sum_backward_values(ctx) -> None:
    for i, shape in enumerate(SHAPES):
        a, dout = inputs.normal(ctx.rng, *shape), _dout(ctx, i)
        answer = ctx.student.call("sum_backward", (dout, a), return_args=True)
        expect_unchanged((a,), answer.args_after[1:2], ("a",), hint=HINT, function="sum_backward")
        expect_array(answer.value, ctx.ref.sum_backward(dout, a), DA_FOR_A(shape=shape),
                     type_name=answer.type_name)


@check("mean_backward.values", function="mean_backward", points=2,
       description="dout / a.size in every entry of a's shape, dout a float or a 0-d array, a "
                   "unchanged")
def mean_backward_values(ctx) -> None:
    trail = Trail(MEAN_BACKWARD.values())
    for i, shape in enumerate(SHAPES):
        a, dout = inputs.normal(ctx.rng, *shape), _dout(ctx, i)
        answer = ctx.student.call("mean_backward", (dout, a), return_args=True)
        expect_unchanged((a,), answer.args_after[1:2], ("a",), hint=HINT, function="mean_backward")
        expected = ctx.ref.mean_backward(dout, a)
        trail.diagnose((dout, a), answer.value, expected)
        expect_array(answer.value, expected, DA_FOR_A(shape=shape), type_name=answer.type_name)


# ---------------------------------------------------------------- element-wise
EXP_BACKWARD = declare(
    Diagnosis("exp_backward.exp-again", "exp applied to the output again",
              "da equals dout * exp(out): out is already exp(a), so da = dout * out",
              lambda dout, out: dout * np.exp(out)),
)
TANH_BACKWARD = declare(
    Diagnosis("tanh_backward.tanh-again", "tanh applied to the output again",
              "da equals dout * (1 - tanh(out)**2): out is already tanh(a), so "
              "da = dout * (1 - out**2)",
              lambda dout, out: dout * (1 - np.tanh(out) ** 2)),
)


def _elementwise(ctx, fn: str, make_second, second_name: str, diagnoses=()) -> None:
    trail = Trail(diagnoses)
    for shape in SHAPES:
        dout, second = inputs.normal(ctx.rng, *shape), make_second(shape)
        answer = _call(ctx, fn, (dout, second), ("dout", second_name))
        expected = getattr(ctx.ref, fn)(dout, second)
        trail.diagnose((dout, second), answer.value, expected)
        expect_array(answer.value, expected, DA_FOR_SHAPE(shape=shape), type_name=answer.type_name)


RELU_BACKWARD = declare(
    Diagnosis("relu_backward.ge-zero", "gradient let through at 0",
              "da equals dout where a == 0 exactly (the mask a >= 0): ReLU's slope at 0 is taken "
              "as 0, da = dout * (a > 0)",
              lambda dout, a: dout * (a >= 0), local=False),
)


@check("relu_backward.values", function="relu_backward", points=2,
       description="dout where a > 0, 0 elsewhere (also at a == 0 exactly), inputs unchanged")
def relu_backward_values(ctx) -> None:
    _elementwise(ctx, "relu_backward", lambda s: inputs.with_exact_zeros(ctx.rng, *s), "a",
                 RELU_BACKWARD.values())


@check("exp_backward.values", function="exp_backward", points=2,
       description="dout * out from the forward's output out = exp(a), inputs unchanged")
def exp_backward_values(ctx) -> None:
    _elementwise(ctx, "exp_backward", lambda s: np.exp(inputs.normal(ctx.rng, *s)), "out",
                 EXP_BACKWARD.values())


@check("log_backward.values", function="log_backward", points=2,
       description="dout / a for positive a, inputs unchanged")
def log_backward_values(ctx) -> None:
    _elementwise(ctx, "log_backward", lambda s: ctx.rng.uniform(0.2, 5.0, size=s), "a")


@check("tanh_backward.values", function="tanh_backward", points=2,
       description="dout (1 - out^2) from the forward's output out = tanh(a), inputs unchanged")
def tanh_backward_values(ctx) -> None:
    _elementwise(ctx, "tanh_backward", lambda s: np.tanh(inputs.normal(ctx.rng, *s, scale=1.5)),
                 "out", TANH_BACKWARD.values())


# ---------------------------------------------------------------- the loss node
#: (N, C) of the cross-entropy checks: a batch, a single example, two classes, many classes.
CE_CASES = ((6, 3), (1, 4), (5, 2), (4, 7))
CE_BACKWARD = declare(
    Diagnosis("cross_entropy_backward.missing-1-over-n", "missing 1/N of the mean",
              "dlogits equals dout * (softmax(logits) - onehot(y)) without the 1/N of the mean: "
              "divide by N",
              lambda ref: lambda dout, logits, y: ref.cross_entropy_backward(dout, logits, y) * len(y),
              needs_ref=True),
)


@check("cross_entropy.values", function="cross_entropy", points=2,
       description="the mean of -log softmax(logits)[i, y_i] as a float, labels of several int "
                   "dtypes, inputs unchanged")
def cross_entropy_values(ctx) -> None:
    for (n, c), dtype in zip(CE_CASES, (*inputs.LABEL_DTYPES, np.int64)):
        logits, y = inputs.normal(ctx.rng, n, c, scale=2), inputs.labels(ctx.rng, n, c, dtype)
        answer = _call(ctx, "cross_entropy", (logits, y), ("logits", "y"))
        expect_float(answer.value, ctx.ref.cross_entropy(logits, y),
                     f"cross_entropy(logits {logits.shape}, y)", type_name=answer.type_name)


@check("cross_entropy.stable", function="cross_entropy", points=2,
       description="finite, exact loss with a row of logits ~ 1e3 to 1e4 (log-sum-exp trick), "
                   "inputs unchanged")
def cross_entropy_stable(ctx) -> None:
    logits, y = inputs.normal(ctx.rng, 5, 3, scale=2), inputs.labels(ctx.rng, 5, 3)
    plant_extreme_row(ctx, logits)
    answer, event = extreme_call(ctx, "cross_entropy", (logits, y), ("logits", "y"), HINT)
    judge_float(ctx, "cross_entropy", answer, event, ctx.ref.cross_entropy(logits, y),
                LOSS_EXTREME())


@check("cross_entropy_backward.values", function="cross_entropy_backward", points=4,
       description="dout (softmax(logits) - onehot(y)) / N, finite for logits ~ 1e3, inputs "
                   "unchanged; gradient-checked")
def cross_entropy_backward_values(ctx) -> None:
    trail = Trail(CE_BACKWARD.values(), ref=ctx.ref)
    for i, (n, c) in enumerate(CE_CASES):
        logits, y, dout = inputs.normal(ctx.rng, n, c, scale=2), inputs.labels(ctx.rng, n, c), _dout(ctx, i)
        answer = ctx.student.call("cross_entropy_backward", (dout, logits, y), return_args=True)
        expect_unchanged((logits, y), answer.args_after[1:3], ("logits", "y"), hint=HINT,
                         function="cross_entropy_backward")
        got, expected = answer.value, ctx.ref.cross_entropy_backward(dout, logits, y)
        try:
            trail.diagnose((dout, logits, y), got, expected)
            expect_array(got, expected, DLOGITS_FOR(shape=logits.shape), type_name=answer.type_name)
        except Fail as fail:
            raise with_note(fail, _own_forward_note(ctx, got, dout, logits, y)) from None
    logits, y = inputs.normal(ctx.rng, 4, 3), inputs.labels(ctx.rng, 4, 3)
    plant_extreme_row(ctx, logits)
    answer, event = extreme_call(ctx, "cross_entropy_backward", (1.0, logits, y),
                                 ("dout", "logits", "y"), HINT)
    judge_array(ctx, "cross_entropy_backward", answer, event,
                ctx.ref.cross_entropy_backward(1.0, logits, y), DLOGITS_EXTREME())


def _own_forward_note(ctx, got, dout, logits, y) -> str:
    def f(v):
        return float(dout) * float(ctx.student.call("cross_entropy", (v, y)).value)
    return own_forward_note(ctx, got, f, logits, "dlogits", "cross_entropy")
