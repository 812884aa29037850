"""Part 3: initialization schemes, inverted dropout and L2 regularization.

The random parts are compared exactly: the grader hands the student's function a generator seeded
like the reference's (RngSeed) and expects the same draws in the same order. The diagnoses each
check may name are declared next to it; the alternatives that draw get a generator seeded the
same way.
"""

from __future__ import annotations

import numpy as np

from autograde_tests import inputs
from autograde_tests.compare import (
    WRONG_SHAPE,
    Fail,
    expect_array,
    expect_float,
    expect_unchanged,
    what_differs,
)
from autograde_tests.diagnosis import Diagnosis, Trail, declare, same
from autograde_tests.engine import check
from autograde_tests.messages import message
from autograde_tests.probes import own_forward_note, scalar, with_note
from nnkit_contract.outcomes import StudentRaised
from nnkit_contract.values import RngSeed

#: What to do instead of changing an argument in place (compare.expect_unchanged).
OUT_TEST_MODE = message("dropout_forward.out-test-mode", "out (test mode)")
OUT_TEST_MODE_NO_RNG = message("dropout_forward.out-test-mode-no-rng", "out (test mode, rng=None)")
PENALTY_NAME = message("l2_penalty.name", "the penalty with lam = {lam:.3g}")
HINTS = {m.key.split(":", 1)[1]: m() for m in (
    message("init_params.hint-sizes",
        "only read layer_sizes (e.g. zip(layer_sizes[:-1], layer_sizes[1:])); "
        "never pop, append to or sort it"),
    message("dropout_forward.hint",
        "return A * mask as a new array, never scale A in place"),
    message("dropout_backward.hint-dout",
        "multiply into a new array (dOut * mask gives one), never write into dOut"),
    message("dropout_backward.hint-mask",
        "only read it"),
    message("l2_penalty.hint",
        "compute W ** 2 as a new array, only read the weights"),
    message("l2_gradient.hint",
        "build new arrays lam * W and np.zeros_like(b)"),
)}

#: Initialization schemes: W ~ N(0, 1) times 1, sqrt(1/m) or sqrt(2/m) for the fan-in m = c_in.
SCHEMES = ("standard", "lecun", "he")
#: A scheme name no student would implement (the check cell uses the same one): it must raise.
UNKNOWN_SCHEME = "no_such_scheme"
#: keep_prob values of the dropout checks (a small one makes a missing rescale obvious).
KEEP_PROBS = ((0.5, 0.9), (0.2, 0.5))
_GAINS = {"standard": None, "lecun": 1.0, "he": 2.0}
_SIZES_HINT = HINTS["init_params.hint-sizes"]


# ---------------------------------------------------------------- init_params
def _init_with(scale):
    """An alternative init_params whose W is drawn as the reference does, times scale(c_in, c_out,
    gain) (gain None for "standard")."""
    def init_params(layer_sizes, rng, scheme="standard"):
        return [(rng.standard_normal((c_in, c_out)) * scale(c_in, c_out, _GAINS[scheme]),
                 np.full(c_out, 0.1)) for c_in, c_out in zip(layer_sizes[:-1], layer_sizes[1:])]
    return init_params


INIT = declare(
    Diagnosis("init_params.w-transposed", "W transposed",
              "W_{layer} has shape {shape}; with x W + b it is (c_in, c_out) = {expected}"),
    Diagnosis("init_params.zero-bias", "bias not 0.1",
              "b_{layer} is all zeros; every bias entry starts at 0.1"),
    Diagnosis("init_params.fan-out", "fan-out instead of fan-in",
              "W_{layer} for scheme {scheme!r} equals the draw scaled by the fan-out c_out; the "
              "scale uses the fan-in, sqrt(gain / c_in) with c_in = W.shape[0]",
              _init_with(lambda c_in, c_out, gain: 1.0 if gain is None else np.sqrt(gain / c_out))),
    Diagnosis("init_params.no-sqrt", "missing square root",
              "W_{layer} for scheme {scheme!r} equals the draw times the variance gain / c_in: "
              "multiply by the standard deviation, its square root sqrt(gain / c_in)",
              _init_with(lambda c_in, c_out, gain: 1.0 if gain is None else gain / c_in)),
    Diagnosis("init_params.scheme-ignored", "scheme ignored",
              "W_{layer} for scheme {scheme!r} is the plain N(0, 1) draw: scale it by the "
              "scheme's sqrt(gain / c_in)", _init_with(lambda c_in, c_out, gain: 1.0)),
    Diagnosis("init_params.unknown-scheme-accepted", "unknown scheme accepted",
              "init_params(..., scheme={scheme!r}) returned parameters; an unknown scheme must "
              "raise ValueError (a typo would otherwise train with the wrong scale)"),
)


def _init(ctx, sizes: list[int], scheme: str | None, seed: int):
    args = (sizes, RngSeed(seed)) if scheme is None else (sizes, RngSeed(seed), scheme)
    answer = ctx.student.call("init_params", args, return_args=True)
    expect_unchanged((sizes,), answer.args_after[:1], ("layer_sizes",), hint=_SIZES_HINT,
                     function="init_params")
    value = answer.value
    if not isinstance(value, list | tuple) or len(value) != len(sizes) - 1 or not all(
            isinstance(layer, list | tuple) and len(layer) == 2 for layer in value):
        raise Fail(INIT_NOT_LIST(sizes=sizes, count=len(sizes) - 1))
    return value


INIT_NOT_LIST = message("init_params.not-list",
                        "init_params({sizes}) must return a list of {count} (W, b) tuples")
NOT_FLOAT_ARRAY = message("regularization.not-float-array",
                          "{name} must be a float np.ndarray, got {kind}")
UNKNOWN_SCHEME_RAISED = message("init_params.unknown-scheme-raised", "an unknown scheme raised "
                                "{exc_type}; raise ValueError naming the scheme")
DROPOUT_NOT_TUPLE = message("dropout_forward.not-tuple",
                            "dropout_forward must return a tuple (out, mask), got {kind}")
DROPOUT_KEPT = message("dropout_forward.kept-share", "{differs}\n  (keep_prob is "
                       "{keep_prob:.2f}; your out kept {kept:.0%} of the entries)")
DROPOUT_MASK_NOT_NONE = message("dropout_forward.mask-not-none",
                                "in test mode the mask must be None, got {kind}")
L2_NOT_LIST = message("l2_gradient.not-list",
                      "l2_gradient must return a list of {count} (dW, db) tuples")
L2_ENTRY = message("l2_gradient.entry-not-tuple", "grads[{i}] must be a tuple (dW, db)")


def _expect_float_array(a, shape: tuple, name: str) -> None:
    if not isinstance(a, np.ndarray) or a.dtype.kind != "f":
        raise Fail(NOT_FLOAT_ARRAY(name=name, kind=type(a).__name__))
    if a.shape != shape:
        raise Fail(WRONG_SHAPE(name=name, shape=a.shape, expected=shape))


@check("init_params.shapes", function="init_params", points=2,
       description="W of shape (c_in, c_out), b of shape (c_out,) filled with 0.1, every scheme, "
                   "layer_sizes unchanged")
def init_shapes(ctx) -> None:
    for sizes in inputs.NETWORKS:
        for scheme in (None, *SCHEMES):
            params = _init(ctx, list(sizes), scheme, int(ctx.rng.integers(2**31)))
            for i, ((W, b), c_in, c_out) in enumerate(zip(params, sizes[:-1], sizes[1:]), start=1):
                if np.shape(W) == (c_out, c_in) and c_in != c_out:
                    raise Fail.of(INIT["w-transposed"], layer=i, shape=np.shape(W),
                                  expected=(c_in, c_out))
                _expect_float_array(W, (c_in, c_out), f"W_{i}")
                if isinstance(b, np.ndarray) and b.shape == (c_out,) and np.all(b == 0):
                    raise Fail.of(INIT["zero-bias"], layer=i)
                expect_array(b, np.full(c_out, 0.1), f"b_{i}")


@check("init_params.schemes", function="init_params", points=4,
       description="W ~ N(0, 1) scaled by 1, sqrt(1/c_in) or sqrt(2/c_in), drawn layer by layer; "
                   "an unknown scheme raises ValueError")
def init_schemes(ctx) -> None:
    sizes = [int(ctx.rng.integers(2, 6)), int(ctx.rng.integers(6, 12)), int(ctx.rng.integers(3, 5))]
    trail = Trail(INIT.values(), part=lambda params: [layer[0] for layer in params])
    for scheme in SCHEMES:
        seed = int(ctx.rng.integers(2**31))
        got = _init(ctx, list(sizes), scheme, seed)
        expected = ctx.ref.init_params(sizes, np.random.default_rng(seed), scheme)
        first_wrong = next((i for i, ((W, _), (W_exp, _)) in enumerate(zip(got, expected), start=1)
                            if not same(W, W_exp)), 1)
        trail.diagnose((list(sizes), np.random.default_rng(seed), scheme), got, expected,
                       layer=first_wrong, scheme=scheme)
        for i, ((W, _), (W_exp, _)) in enumerate(zip(got, expected), start=1):
            expect_array(W, W_exp, f"W_{i} ({scheme!r})")
    try:
        ctx.student.call("init_params", (list(sizes), RngSeed(0), UNKNOWN_SCHEME))
    except StudentRaised as exc:
        if exc.exc_type != "ValueError":
            raise Fail(UNKNOWN_SCHEME_RAISED(exc_type=exc.exc_type)) from None
    else:
        raise Fail.of(INIT["unknown-scheme-accepted"], scheme=UNKNOWN_SCHEME)


# ---------------------------------------------------------------- dropout
def _dropout_with(mask_of):
    def dropout_forward(A, keep_prob, rng, train=True):
        if not train:
            return A.copy(), None
        mask = mask_of(rng.random(A.shape), keep_prob)
        return A * mask, mask
    return dropout_forward


def _test_scaled(factor):
    """An alternative dropout_forward, right while training, whose test-mode output is A * factor
    (keep_prob -> the factor)."""
    def dropout_forward(A, keep_prob, rng, train=True):
        if train:
            mask = (rng.random(A.shape) < keep_prob) / keep_prob
            return A * mask, mask
        return A * factor(keep_prob), None
    return dropout_forward


def _on_at_test(ref):
    def dropout_forward(A, keep_prob, rng, train=True):
        return ref.dropout_forward(A, keep_prob, rng, True)
    return dropout_forward


DROPOUT = declare(
    Diagnosis("dropout_forward.not-applied", "dropout not applied",
              "in train mode nothing was dropped: out equals A"),
    Diagnosis("dropout_forward.not-rescaled", "dropout not rescaled",
              "the kept activations are not rescaled: divide the mask by keep_prob (it holds 0 or "
              "1 / keep_prob), so that the expected output equals A (inverted dropout)",
              _dropout_with(lambda u, p: (u < p).astype(float))),
    Diagnosis("dropout_forward.keep-drop-swapped", "keep and drop swapped",
              "the mask drops each entry with probability keep_prob; keep_prob is the chance to KEEP "
              "an entry: keep the entries where rng.random(A.shape) < keep_prob",
              (_dropout_with(lambda u, p: (u >= p) / p), _dropout_with(lambda u, p: (u < 1 - p) / p))),
    Diagnosis("dropout_forward.test-divided", "dropout rescaled at test time",
              "in test mode the output equals A / keep_prob; with inverted dropout the test-time "
              "output is A itself", _test_scaled(lambda p: 1 / p)),
    Diagnosis("dropout_forward.test-multiplied", "dropout rescaled at test time",
              "in test mode the output equals A * keep_prob; with inverted dropout the test-time "
              "output is A itself", _test_scaled(lambda p: p)),
    Diagnosis("dropout_forward.on-at-test", "dropout left on at test time",
              "in test mode (train=False) the output is the train-mode output, with entries "
              "dropped: dropout is only for training, return A (a copy) and no mask",
              _on_at_test, needs_ref=True),
)
DROPOUT_BACKWARD = declare(
    Diagnosis("dropout_backward.not-rescaled", "dropout not rescaled",
              "dA equals dOut * (mask > 0), without the 1 / keep_prob: multiply by the mask itself, "
              "which already holds it", lambda dOut, mask: dOut * (mask != 0)),
)


def _dropout(ctx, A, keep_prob, seed, train=True):
    answer = ctx.student.call("dropout_forward", (A, keep_prob, RngSeed(seed) if seed is not None
                                                   else None, train), return_args=True)
    expect_unchanged((A,), answer.args_after[:1], ("A",),
                     hint=HINTS["dropout_forward.hint"],
                     function="dropout_forward")
    value = answer.value
    if not isinstance(value, tuple | list) or len(value) != 2:
        raise Fail(DROPOUT_NOT_TUPLE(kind=type(value).__name__))
    return tuple(value)


@check("dropout_forward.train", function="dropout_forward", points=4,
       description="train mode: mask = (rng.random(A.shape) < keep_prob) / keep_prob, out = A mask")
def dropout_train(ctx) -> None:
    trail = Trail(DROPOUT.values(), ref=ctx.ref)
    for shape, low_high in zip(((6, 5), (40, 30)), KEEP_PROBS):
        A = inputs.normal(ctx.rng, *shape) + 2.0   # no zeros, so the kept entries show
        keep_prob, seed = float(ctx.rng.uniform(*low_high)), int(ctx.rng.integers(2**31))
        out, mask = got = _dropout(ctx, A, keep_prob, seed)
        expected = ctx.ref.dropout_forward(A, keep_prob, np.random.default_rng(seed), True)
        if not same(out, expected[0]) and same(out, A):
            raise Fail.of(DROPOUT["not-applied"])
        trail.diagnose((A, keep_prob, np.random.default_rng(seed), True), got, expected)
        if not same(out, expected[0]):
            if isinstance(out, np.ndarray) and out.shape == A.shape and out.dtype.kind in "fiub":
                raise Fail(DROPOUT_KEPT(differs=what_differs(out, expected[0], "out"),
                                        keep_prob=keep_prob, kept=np.mean(out != 0)))
        expect_array(out, expected[0], "out")
        expect_array(mask, expected[1], "mask")


@check("dropout_forward.test", function="dropout_forward", points=2,
       description="test mode (train=False): out equals A, mask is None, works without a generator "
                   "(rng=None)")
def dropout_test(ctx) -> None:
    A = inputs.normal(ctx.rng, 5, 4) + 2.0
    keep_prob = float(ctx.rng.uniform(*KEEP_PROBS[1]))
    seed = int(ctx.rng.integers(2**31))
    out, mask = got = _dropout(ctx, A, keep_prob, seed, train=False)
    Trail(DROPOUT.values(), ref=ctx.ref, part=lambda value: value[0]).diagnose(
        (A, keep_prob, np.random.default_rng(seed), False), got, (A, None))
    expect_array(out, A, OUT_TEST_MODE())
    if mask is not None:
        raise Fail(DROPOUT_MASK_NOT_NONE(kind=type(mask).__name__))
    # A test-mode call may get no generator at all.
    out, _ = _dropout(ctx, A, keep_prob, None, train=False)
    expect_array(out, A, OUT_TEST_MODE_NO_RNG())


@check("dropout_backward.values", function="dropout_backward", points=3,
       description="dOut times the mask used forward, inputs unchanged")
def dropout_backward_values(ctx) -> None:
    trail = Trail(DROPOUT_BACKWARD.values())
    for shape in ((6, 5), (1, 7)):
        keep_prob = float(ctx.rng.uniform(*KEEP_PROBS[0]))
        mask = (ctx.rng.random(shape) < keep_prob) / keep_prob
        dOut = inputs.normal(ctx.rng, *shape)
        answer = ctx.student.call("dropout_backward", (dOut, mask), return_args=True)
        expect_unchanged((dOut, mask), answer.args_after, ("dOut", "mask"),
                         hint={"dOut": HINTS["dropout_backward.hint-dout"],
                               "mask": HINTS["dropout_backward.hint-mask"]},
                         function="dropout_backward")
        got, expected = answer.value, ctx.ref.dropout_backward(dOut, mask)
        trail.diagnose((dOut, mask), got, expected)
        expect_array(got, expected, "dA", type_name=answer.type_name)


# ---------------------------------------------------------------- L2
def _sum_sq(a) -> float:
    return float(np.sum(np.asarray(a) ** 2))


L2 = declare(
    Diagnosis("l2_penalty.biases", "L2 applied to biases",
              "the penalty includes the biases; L2 regularization applies to the weights W only",
              lambda params, lam: lam / 2 * sum(_sum_sq(W) + _sum_sq(b) for W, b in params)),
    Diagnosis("l2_penalty.no-half", "missing 1/2",
              "the penalty lacks the factor 1/2: it is lam / 2 * (sum of W ** 2 over all layers), "
              "so that its gradient is lam * W",
              lambda params, lam: lam * sum(_sum_sq(W) for W, _ in params)),
    Diagnosis("l2_penalty.biases-no-half", "L2 applied to biases; missing 1/2",
              "the penalty includes the biases and lacks the 1/2: it is lam / 2 * (sum of W ** 2), "
              "weights only",
              lambda params, lam: lam * sum(_sum_sq(W) + _sum_sq(b) for W, b in params)),
    Diagnosis("l2_penalty.norms", "norms instead of squares",
              "the penalty uses the norms of the weights: it is the sum of their squared entries, "
              "np.sum(W ** 2)",
              lambda params, lam: lam / 2 * sum(float(np.linalg.norm(W)) for W, _ in params)),
)
L2_GRADIENT = declare(
    Diagnosis("l2_gradient.biases", "L2 applied to biases",
              "the bias gradient is lam * b: L2 regularization applies to the weights only, so "
              "the gradient of every bias is np.zeros_like(b)",
              lambda params, lam: [(lam * W, lam * b) for W, b in params]),
    Diagnosis("l2_gradient.doubled", "missing 1/2",
              "dW is 2 lam W: the derivative of lam / 2 * W ** 2 is lam * W (the 2 cancels the 1/2)",
              lambda params, lam: [(2 * lam * W, np.zeros_like(b)) for W, b in params]),
    Diagnosis("l2_gradient.halved", "half the gradient",
              "dW is lam / 2 * W: the derivative of lam / 2 * W ** 2 is lam * W",
              lambda params, lam: [(lam / 2 * W, np.zeros_like(b)) for W, b in params]),
)


def _params(ctx):
    sizes = inputs.NETWORKS[int(ctx.rng.integers(1, len(inputs.NETWORKS)))]
    return [(inputs.normal(ctx.rng, c_in, c_out), inputs.normal(ctx.rng, c_out) + 1.0)
            for c_in, c_out in zip(sizes[:-1], sizes[1:])]


@check("l2_penalty.values", function="l2_penalty", points=4,
       description="lam / 2 times the sum of squared weights (never biases), as a float")
def l2_penalty_values(ctx) -> None:
    trail = Trail(L2.values())
    for lam in (*ctx.rng.uniform(1e-3, 1.0, size=3), 0.0):
        params = _params(ctx)
        answer = ctx.student.call("l2_penalty", (params, float(lam)), return_args=True)
        expect_unchanged((params,), answer.args_after[:1], ("params",),
                         hint=HINTS["l2_penalty.hint"],
                         function="l2_penalty")
        expected = ctx.ref.l2_penalty(params, float(lam))
        trail.diagnose((params, float(lam)), answer.value, expected)
        expect_float(answer.value, expected, PENALTY_NAME(lam=lam),
                     type_name=answer.type_name)


@check("l2_gradient.values", function="l2_gradient", points=4,
       description="(lam W, zeros) per layer: the gradient of l2_penalty, biases untouched")
def l2_gradient_values(ctx) -> None:
    params, lam = _params(ctx), float(ctx.rng.uniform(1e-3, 1.0))
    answer = ctx.student.call("l2_gradient", (params, lam), return_args=True)
    expect_unchanged((params,), answer.args_after[:1], ("params",),
                     hint=HINTS["l2_gradient.hint"], function="l2_gradient")
    got, expected = answer.value, ctx.ref.l2_gradient(params, lam)
    Trail(L2_GRADIENT.values()).diagnose((params, lam), got, expected)
    if not isinstance(got, list | tuple) or len(got) != len(params):
        raise Fail(L2_NOT_LIST(count=len(params)))
    for i, (g, e, (W, _)) in enumerate(zip(got, expected, params), start=1):
        if not isinstance(g, list | tuple) or len(g) != 2:
            raise Fail(L2_ENTRY(i=i - 1))
        try:
            expect_array(g[0], e[0], f"dW_{i}")
        except Fail as fail:
            def f(v, i=i):
                changed = [(v if j == i - 1 else Wj, bj) for j, (Wj, bj) in enumerate(params)]
                return scalar(ctx.student.call("l2_penalty", (changed, lam)))
            raise with_note(fail, own_forward_note(ctx, g[0], f, W, f"dW_{i}", "l2_penalty")) from None
        expect_array(g[1], e[1], f"db_{i}")
