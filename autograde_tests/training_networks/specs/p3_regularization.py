"""Part 3: initialization schemes, inverted dropout and L2 regularization.

The random parts are compared exactly: the grader hands the student's function a generator seeded
like the reference's (RngSeed) and expects the same draws in the same order.
"""

from __future__ import annotations

import numpy as np

from autograde_tests import inputs
from autograde_tests.compare import Fail, close, expect_array, expect_float, expect_unchanged
from autograde_tests.contract import RngSeed, StudentRaised
from autograde_tests.engine import check
from autograde_tests.probes import own_forward_note, scalar, with_note

#: Initialization schemes: W ~ N(0, 1) times 1, sqrt(1/m) or sqrt(2/m) for the fan-in m = c_in.
SCHEMES = ("standard", "lecun", "he")
#: keep_prob values of the dropout checks (a small one makes a missing rescale obvious).
KEEP_PROBS = ((0.5, 0.9), (0.2, 0.5))


# ---------------------------------------------------------------- init_params
def _init(ctx, sizes: list[int], scheme: str | None, seed: int):
    args = (sizes, RngSeed(seed)) if scheme is None else (sizes, RngSeed(seed), scheme)
    value = ctx.student.call("init_params", args).value
    if not isinstance(value, list | tuple) or len(value) != len(sizes) - 1 or not all(
            isinstance(layer, list | tuple) and len(layer) == 2 for layer in value):
        raise Fail(f"init_params({sizes}) must return a list of {len(sizes) - 1} (W, b) tuples")
    return value


def _expect_float_array(a, shape: tuple, name: str) -> None:
    if not isinstance(a, np.ndarray) or a.dtype.kind != "f":
        raise Fail(f"{name} must be a float np.ndarray, got {type(a).__name__}")
    if a.shape != shape:
        raise Fail(f"{name} has shape {a.shape}, expected {shape}")


def _scaled(sizes, seed, scale) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.standard_normal((c_in, c_out)) * scale(c_in, c_out)
            for c_in, c_out in zip(sizes[:-1], sizes[1:])]


@check("init_params.shapes", function="init_params", points=2,
       description="W of shape (c_in, c_out), b of shape (c_out,) filled with 0.1, every scheme")
def init_shapes(ctx) -> None:
    for sizes in inputs.NETWORKS:
        for scheme in (None, *SCHEMES):
            params = _init(ctx, list(sizes), scheme, int(ctx.rng.integers(2**31)))
            for i, ((W, b), c_in, c_out) in enumerate(zip(params, sizes[:-1], sizes[1:]), start=1):
                if np.shape(W) == (c_out, c_in) and c_in != c_out:
                    raise Fail(f"W_{i} has shape {np.shape(W)}; with x W + b it is (c_in, c_out) = "
                               f"({c_in}, {c_out})", "W transposed")
                _expect_float_array(W, (c_in, c_out), f"W_{i}")
                if isinstance(b, np.ndarray) and b.shape == (c_out,) and np.all(b == 0):
                    raise Fail(f"b_{i} is all zeros; every bias starts at 0.1", "bias not 0.1")
                expect_array(b, np.full(c_out, 0.1), f"b_{i}")


@check("init_params.schemes", function="init_params", points=4,
       description="W ~ N(0, 1) scaled by 1, sqrt(1/c_in) or sqrt(2/c_in), drawn layer by layer; "
                   "an unknown scheme raises ValueError")
def init_schemes(ctx) -> None:
    sizes = [int(ctx.rng.integers(2, 6)), int(ctx.rng.integers(6, 12)), int(ctx.rng.integers(3, 5))]
    for scheme in SCHEMES:
        seed = int(ctx.rng.integers(2**31))
        got = _init(ctx, sizes, scheme, seed)
        expected = ctx.ref.init_params(sizes, np.random.default_rng(seed), scheme)
        for i, ((W, _), (W_exp, _)) in enumerate(zip(got, expected), start=1):
            if not close(W, W_exp):
                _diagnose_scale(W, sizes, seed, scheme, i)
            expect_array(W, W_exp, f"W_{i} ({scheme!r})")
    try:
        ctx.student.call("init_params", (sizes, RngSeed(0), "glorious"))
    except StudentRaised as exc:
        if exc.exc_type != "ValueError":
            raise Fail(f"an unknown scheme raised {exc.exc_type}; raise ValueError naming the scheme") from None
    else:
        raise Fail("init_params(..., scheme='glorious') returned parameters; an unknown scheme must "
                   "raise ValueError (a typo would otherwise train with the wrong scale)",
                   "unknown scheme accepted")


def _diagnose_scale(W, sizes, seed, scheme, i) -> None:
    if scheme == "standard":
        return
    factor = 1.0 if scheme == "lecun" else 2.0
    candidates = {
        "scaled by the fan-out (c_out); the scale uses the fan-in m = c_in":
            (lambda c_in, c_out: np.sqrt(factor / c_out), "fan-out instead of fan-in"),
        f"scaled by {factor:g}/m; the scale is the square root, sqrt({factor:g}/m)":
            (lambda c_in, c_out: factor / c_in, "missing square root"),
        "not scaled at all (plain N(0, 1))": (lambda c_in, c_out: 1.0, "scheme ignored"),
    }
    for text, (scale, diagnosis) in candidates.items():
        if close(W, _scaled(sizes, seed, scale)[i - 1]):
            raise Fail(f"W_{i} for scheme {scheme!r} is {text}", diagnosis)


# ---------------------------------------------------------------- dropout
def _dropout(ctx, A, keep_prob, seed, train=True):
    answer = ctx.student.call("dropout_forward", (A, keep_prob, RngSeed(seed) if seed is not None
                                                   else None, train), return_args=True)
    expect_unchanged((A,), answer.args_after[:1], ("A",),
                     hint="return A * mask as a new array, never scale A in place")
    value = answer.value
    if not isinstance(value, tuple | list) or len(value) != 2:
        raise Fail(f"dropout_forward must return a tuple (out, mask), got {type(value).__name__}")
    return value


@check("dropout_forward.train", function="dropout_forward", points=4,
       description="train mode: mask = (rng.random(A.shape) < keep_prob) / keep_prob, out = A mask")
def dropout_train(ctx) -> None:
    for shape, low_high in zip(((6, 5), (40, 30)), KEEP_PROBS):
        A = inputs.normal(ctx.rng, *shape) + 2.0   # no zeros, so the kept entries show
        keep_prob, seed = float(ctx.rng.uniform(*low_high)), int(ctx.rng.integers(2**31))
        out, mask = _dropout(ctx, A, keep_prob, seed)
        exp_out, exp_mask = ctx.ref.dropout_forward(A, keep_prob, np.random.default_rng(seed), True)
        draws = np.random.default_rng(seed).random(A.shape)
        if not close(out, exp_out):  # the probes below only name the cause of a wrong answer
            if close(out, A):
                raise Fail("in train mode nothing was dropped: out equals A", "dropout not applied")
            if close(out, A * (draws < keep_prob)):
                raise Fail("the kept activations are not rescaled: divide the mask by keep_prob so "
                           "that the expected output equals A (inverted dropout)", "dropout not rescaled")
            if close(out, A * (draws >= keep_prob) / keep_prob) or \
                    close(out, A * (draws < 1 - keep_prob) / keep_prob):
                raise Fail("entries are dropped with probability keep_prob; keep_prob is the chance "
                           "to KEEP an entry: mask = rng.random(A.shape) < keep_prob",
                           "keep and drop swapped")
            if isinstance(out, np.ndarray) and out.shape == A.shape:
                kept = np.mean(out != 0)
                raise Fail(f"out differs from A * mask with mask = (rng.random(A.shape) < keep_prob) "
                           f"/ keep_prob: draw the mask with exactly one rng.random(A.shape) call "
                           f"(you kept {kept:.0%} of the entries, keep_prob is {keep_prob:.2f})",
                           "wrong mask draw")
        expect_array(out, exp_out, "out")
        expect_array(mask, exp_mask, "mask")


@check("dropout_forward.test", function="dropout_forward", points=2,
       description="test mode (train=False): out equals A, mask is None, works without a generator "
                   "(rng=None)")
def dropout_test(ctx) -> None:
    A = inputs.normal(ctx.rng, 5, 4) + 2.0
    keep_prob = float(ctx.rng.uniform(*KEEP_PROBS[1]))
    out, mask = _dropout(ctx, A, keep_prob, int(ctx.rng.integers(2**31)), train=False)
    if isinstance(out, np.ndarray) and out.shape == A.shape and not close(out, A):
        if close(out, A / keep_prob) or close(out, A * keep_prob):
            raise Fail("in test mode the output is rescaled; with inverted dropout the test-time "
                       "output is A itself", "dropout rescaled at test time")
        raise Fail("in test mode (train=False) entries were dropped: dropout is only for training, "
                   "return A unchanged", "dropout left on at test time")
    expect_array(out, A, "out (test mode)")
    if mask is not None:
        raise Fail(f"in test mode the mask must be None, got {type(mask).__name__}")
    # A test-mode call may get no generator at all.
    out, _ = _dropout(ctx, A, keep_prob, None, train=False)
    expect_array(out, A, "out (test mode, rng=None)")


@check("dropout_backward.values", function="dropout_backward", points=3,
       description="dOut times the mask used forward, inputs unchanged")
def dropout_backward_values(ctx) -> None:
    for shape in ((6, 5), (1, 7)):
        keep_prob = float(ctx.rng.uniform(*KEEP_PROBS[0]))
        mask = (ctx.rng.random(shape) < keep_prob) / keep_prob
        dOut = inputs.normal(ctx.rng, *shape)
        answer = ctx.student.call("dropout_backward", (dOut, mask), return_args=True)
        expect_unchanged((dOut, mask), answer.args_after, ("dOut", "mask"),
                         hint="return dOut * mask as a new array")
        got, expected = answer.value, ctx.ref.dropout_backward(dOut, mask)
        if close(got, dOut * (mask != 0)) and not close(got, expected):
            raise Fail("the gradient is not rescaled by 1/keep_prob: multiply by the mask itself, "
                       "which already holds 1/keep_prob", "dropout not rescaled")
        expect_array(got, expected, "dA", type_name=answer.type_name)


# ---------------------------------------------------------------- L2
def _params(ctx):
    sizes = inputs.NETWORKS[int(ctx.rng.integers(1, len(inputs.NETWORKS)))]
    return [(inputs.normal(ctx.rng, c_in, c_out), inputs.normal(ctx.rng, c_out) + 1.0)
            for c_in, c_out in zip(sizes[:-1], sizes[1:])]


@check("l2_penalty.values", function="l2_penalty", points=4,
       description="lam / 2 times the sum of squared weights (never biases), as a float")
def l2_penalty_values(ctx) -> None:
    for _ in range(3):
        params, lam = _params(ctx), float(ctx.rng.uniform(1e-3, 1.0))
        answer = ctx.student.call("l2_penalty", (params, lam), return_args=True)
        expect_unchanged((params,), answer.args_after[:1], ("params",),
                         hint="only read the weights")
        expected = ctx.ref.l2_penalty(params, lam)
        got = answer.value
        biases = lam / 2 * sum(float(np.sum(b ** 2)) for _, b in params)
        if isinstance(got, int | float) and not isinstance(got, bool) and not np.isclose(got, expected):
            if np.isclose(got, expected + biases):
                raise Fail("the biases are penalized too; L2 regularization applies to the weights "
                           "W only", "L2 applied to biases")
            if np.isclose(got, 2 * expected):
                raise Fail("the penalty lacks the factor 1/2: it is lam / 2 * sum of W**2 (so that "
                           "its gradient is lam * W)", "missing 1/2")
        expect_float(got, expected, "the penalty", type_name=answer.type_name)
    assert_zero = ctx.student.call("l2_penalty", (_params(ctx), 0.0)).value
    expect_float(assert_zero, 0.0, "the penalty with lam = 0")


@check("l2_gradient.values", function="l2_gradient", points=4,
       description="(lam W, zeros) per layer: the gradient of l2_penalty, biases untouched")
def l2_gradient_values(ctx) -> None:
    params, lam = _params(ctx), float(ctx.rng.uniform(1e-3, 1.0))
    answer = ctx.student.call("l2_gradient", (params, lam), return_args=True)
    expect_unchanged((params,), answer.args_after[:1], ("params",),
                     hint="build new arrays lam * W and np.zeros_like(b)")
    got, expected = answer.value, ctx.ref.l2_gradient(params, lam)
    if not isinstance(got, list | tuple) or len(got) != len(params):
        raise Fail(f"l2_gradient must return a list of {len(params)} (dW, db) tuples")
    for i, (g, e, (W, b)) in enumerate(zip(got, expected, params), start=1):
        if not isinstance(g, list | tuple) or len(g) != 2:
            raise Fail(f"grads[{i - 1}] must be a tuple (dW, db)")
        if close(g[1], lam * b) and not close(g[1], e[1]):
            raise Fail(f"db_{i} is lam * b: L2 regularization applies to the weights only, so the "
                       "bias gradient is zero", "L2 applied to biases")
        if close(g[0], 2 * lam * W) and not close(g[0], e[0]):
            raise Fail(f"dW_{i} is 2 lam W: the penalty has a factor 1/2, so its gradient is lam * W",
                       "missing 1/2")
        try:
            expect_array(g[0], e[0], f"dW_{i}")
        except Fail as fail:
            def f(v, i=i):
                changed = [(v if j == i - 1 else Wj, bj) for j, (Wj, bj) in enumerate(params)]
                return scalar(ctx.student.call("l2_penalty", (changed, lam)))
            raise with_note(fail, own_forward_note(ctx, g[0], f, W, f"dW_{i}", "l2_penalty")) from None
        expect_array(g[1], e[1], f"db_{i}")
