"""Part 2: sigmoid, initialization, linear layer, ReLU, forward pass, softmax, loss, prediction."""

from __future__ import annotations

import numpy as np

from autograde_tests import inputs
from autograde_tests.compare import Fail, expect_array, expect_float, expect_unchanged
from autograde_tests.diagnosis import Diagnosis, Raised, Trail, declare, same
from autograde_tests.engine import check
from autograde_tests.messages import message
from autograde_tests.probes import column_softmax, plant_extreme_row
from autograde_tests.stable import extreme_call, judge_array, judge_float
from nnkit_contract.outcomes import StudentRaised
from nnkit_contract.values import RngSeed

#: The lecture's hand-set XOR network (W1, b1, W2, b2); its outputs are ~4.5e-5 / 0.99995.
XOR_NET = (np.array([[20.0, -20.0], [-20.0, 20.0]]), np.array([-10.0, -10.0]),
           np.array([[20.0], [20.0]]), np.array([-10.0]))
XOR_INPUTS = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])


# ---------------------------------------------------------------- sigmoid
def _exp_ratio(Z):
    return np.exp(Z) / (1 + np.exp(Z))


SIGMOID = declare(
    Diagnosis("sigmoid.sign-flipped", "sign of the exponent",
              "sigmoid(z) equals 1 / (1 + exp(+z)): the exponent is -z",
              lambda Z: 1 / (1 + np.exp(Z))),
    Diagnosis("sigmoid.exp-ratio", "exp(z) / (1 + exp(z)) for large z",
              "sigmoid gives NaN for z ~ 1000, exactly what exp(z) / (1 + exp(z)) gives there "
              "(inf / inf): use that form only for z < 0, and 1 / (1 + exp(-z)) for z >= 0",
              _exp_ratio),
)
_SIGMOID_HINT = message("sigmoid.hint-new-array", "compute the result into a new array (e.g. "
                        "np.empty_like(Z)), never write into Z")()
STABLE_NAME = message("sigmoid.stable-name", "sigmoid(Z) for |Z| ~ 1e3")
XOR_HIDDEN = message("sigmoid.xor-hidden-name", "XOR hidden layer")


@check("sigmoid.values", function="sigmoid", points=2,
       description="element-wise values on random inputs and the XOR network table, input unchanged")
def sigmoid_values(ctx) -> None:
    W1, b1, W2, b2 = XOR_NET
    hidden_in = XOR_INPUTS @ W1 + b1
    cases = [inputs.normal(ctx.rng, *shape, scale=4) for shape in ((3, 4), (5,), (1, 1))]
    trail = Trail(SIGMOID.values())
    for Z, name in [*((Z, "sigmoid(Z)") for Z in cases), (hidden_in, XOR_HIDDEN())]:
        answer = ctx.student.call("sigmoid", (Z,), return_args=True)
        expect_unchanged((Z,), answer.args_after, ("Z",), hint=_SIGMOID_HINT, function="sigmoid")
        expected = ctx.ref.sigmoid(Z)
        trail.diagnose((Z,), answer.value, expected)
        expect_array(answer.value, expected, name, type_name=answer.type_name)
    hidden = ctx.ref.sigmoid(hidden_in)
    out = ctx.student.call("sigmoid", (hidden @ W2 + b2,)).value
    expect_array(out, ctx.ref.sigmoid(hidden @ W2 + b2), "XOR network output")


@check("sigmoid.stable", function="sigmoid", points=2,
       description="finite, exact limits for |Z| ~ 1e3, input unchanged")
def sigmoid_stable(ctx) -> None:
    Z = np.concatenate([ctx.rng.uniform(500, 1000, 3), -ctx.rng.uniform(500, 1000, 3),
                        [-1000.0, 1000.0, 0.0]]).reshape(3, 3)
    answer, event = extreme_call(ctx, "sigmoid", (Z,), ("Z",), _SIGMOID_HINT)
    expected = ctx.ref.sigmoid(Z)
    Trail(SIGMOID.values()).diagnose((Z,), answer.value, expected)
    judge_array(ctx, "sigmoid", answer, event, expected, STABLE_NAME())


# ---------------------------------------------------------------- init_params
INIT = declare(
    Diagnosis("init_params.w-transposed", "W transposed",
              "W_{layer} has shape {shape}, expected (c_in, c_out) = {expected}"),
    Diagnosis("init_params.zero-bias", "bias not 0.1",
              "b_{layer} is all zeros; every bias entry starts at 0.1"),
    Diagnosis("init_params.scaled", "scaled initialization",
              "W_{layer} equals the draw scaled by 1/sqrt(c_in); this assignment uses "
              "W ~ N(0, 1) without scaling",
              lambda layer_sizes, rng: [(rng.standard_normal((a, b)) / np.sqrt(a), np.full(b, 0.1))
                                        for a, b in zip(layer_sizes[:-1], layer_sizes[1:])]),
)
_SIZES_HINT = message("init_params.hint-sizes", "only read layer_sizes (e.g. "
                      "zip(layer_sizes[:-1], layer_sizes[1:])); never pop, append to or sort it")()
INIT_NOT_LIST = message("init_params.not-list", "init_params({sizes}) must return a list of "
                        "{count} (W, b) tuples, got {kind} of length {length}")
INIT_LAYER = message("init_params.layer-not-tuple", "every layer of params must be a tuple (W, b)")
INIT_W_SHAPE = message("init_params.w-shape", "W_{i} has shape {shape}, expected ({c_in}, {c_out})")
INIT_B_SHAPE = message("init_params.b-shape",
                       "b_{i} has shape {shape}, expected the 1-D shape ({c_out},)")


def _init(ctx, sizes: list[int], seed: int):
    answer = ctx.student.call("init_params", (sizes, RngSeed(seed)), return_args=True)
    expect_unchanged((sizes,), answer.args_after[:1], ("layer_sizes",), hint=_SIZES_HINT,
                     function="init_params")
    value = answer.value
    if not isinstance(value, list | tuple) or len(value) != len(sizes) - 1:
        raise Fail(INIT_NOT_LIST(sizes=sizes, count=len(sizes) - 1, kind=type(value).__name__,
                                 length=len(value) if isinstance(value, list | tuple) else '-'))
    for layer in value:
        if not isinstance(layer, list | tuple) or len(layer) != 2:
            raise Fail(INIT_LAYER())
    return value


def _transposed(W, c_in: int, c_out: int, layer: int) -> None:
    if np.shape(W) == (c_out, c_in) and c_in != c_out:
        raise Fail.of(INIT["w-transposed"], layer=layer, shape=np.shape(W), expected=(c_in, c_out))


@check("init_params.shapes", function="init_params", points=2,
       description="W of shape (c_in, c_out), b of shape (c_out,) filled with 0.1, layer_sizes "
                   "unchanged")
def init_shapes(ctx) -> None:
    for sizes in ([3, 5, 2], [2, 4, 4, 3], [1, 1]):
        params = _init(ctx, sizes, int(ctx.rng.integers(2**31)))
        for i, ((W, b), c_in, c_out) in enumerate(zip(params, sizes[:-1], sizes[1:]), start=1):
            _transposed(W, c_in, c_out, i)
            if not isinstance(W, np.ndarray) or W.shape != (c_in, c_out):
                raise Fail(INIT_W_SHAPE(i=i, shape=np.shape(W), c_in=c_in, c_out=c_out))
            if np.shape(b) != (c_out,):
                raise Fail(INIT_B_SHAPE(i=i, shape=np.shape(b), c_out=c_out))
            if same(b, np.zeros(c_out)):
                raise Fail.of(INIT["zero-bias"], layer=i)
            expect_array(b, np.full(c_out, 0.1), f"b_{i}")


@check("init_params.rng", function="init_params", points=2,
       description="W ~ N(0, 1) drawn from the given generator, layer by layer")
def init_rng(ctx) -> None:
    sizes = [3, 6, 4, 2]
    seed = int(ctx.rng.integers(2**31))
    params = _init(ctx, list(sizes), seed)
    expected = ctx.ref.init_params(sizes, np.random.default_rng(seed))
    for i, ((W, _), (exp_W, _)) in enumerate(zip(params, expected), start=1):
        _transposed(W, *exp_W.shape, i)
    first_wrong = next((i for i, ((W, _), (exp_W, _)) in enumerate(zip(params, expected), start=1)
                        if not same(W, exp_W)), 1)
    Trail(INIT.values(), part=lambda value: [layer[0] for layer in value]).diagnose(
        (list(sizes), np.random.default_rng(seed)), params, expected, layer=first_wrong)
    for i, ((W, _), (exp_W, _)) in enumerate(zip(params, expected), start=1):
        expect_array(W, exp_W, f"W_{i}")


# ---------------------------------------------------------------- linear and ReLU
LINEAR = declare(
    Diagnosis("linear_forward.bias-missing", "bias missing",
              "Z equals X @ W: the bias b is missing, Z = X @ W + b", lambda X, W, b: X @ W),
    Diagnosis("linear_forward.w-transposed", "W transposed",
              "linear_forward answers exactly as X @ W.T + b does (W is given as (c_in, c_out)): "
              "compute X @ W + b", lambda X, W, b: X @ W.T + b),
)


def _outcome(ctx, fn: str, args: tuple, **kwargs):
    """(answer, what it returned or `Raised`): a raised error is an outcome an alternative can
    confirm (the same exception with the same message)."""
    try:
        answer = ctx.student.call(fn, args, **kwargs)
    except StudentRaised as exc:
        return None, Raised(exc.exc_type, exc.detail), exc
    return answer, answer.value, None


@check("linear_forward.values", function="linear_forward", points=5,
       description="Z = X W + b for several shapes incl. N = 1 and non-square W, inputs unchanged")
def linear_forward_values(ctx) -> None:
    trail = Trail(LINEAR.values())
    for n, c_in, c_out in inputs.LAYER_CASES:
        X, W, b = (inputs.normal(ctx.rng, n, c_in), inputs.normal(ctx.rng, c_in, c_out),
                   inputs.normal(ctx.rng, c_out))
        answer, got, raised = _outcome(ctx, "linear_forward", (X, W, b), return_args=True)
        expected = ctx.ref.linear_forward(X, W, b)
        trail.diagnose((X, W, b), got, expected)
        if raised is not None:
            raise raised
        expect_unchanged((X, W, b), answer.args_after, ("X", "W", "b"), function="linear_forward",
                         hint=LINEAR_HINT())
        expect_array(got, expected, "Z", type_name=answer.type_name)


@check("relu_forward.values", function="relu_forward", points=3,
       description="max(0, z) element-wise, exact zeros included, input unchanged")
def relu_forward_values(ctx) -> None:
    for shape in ((3, 4), (1, 5), (6,)):
        Z = inputs.with_exact_zeros(ctx.rng, *shape)
        answer = ctx.student.call("relu_forward", (Z,), return_args=True)
        expect_unchanged((Z,), answer.args_after, ("Z",), function="relu_forward",
                         hint=RELU_HINT())
        expect_array(answer.value, ctx.ref.relu_forward(Z), "A", type_name=answer.type_name)


# ---------------------------------------------------------------- forward
_FORWARD_DEPS = ("linear_forward", "relu_forward")


def _forward_with(*, relu_last=False, order="in", entry="A_prev-Z", cache_activation=False):
    """An alternative forward: ReLU after the last layer too, the cache in reverse order, its
    entries as (Z, A_prev), or hidden layers cached with their ReLU output instead of Z."""
    def forward(params, X):
        cache, A = [], X
        for i, (W, b) in enumerate(params):
            Z = A @ W + b
            out = np.maximum(Z, 0.0) if (i < len(params) - 1 or relu_last) else Z
            stored = out if (cache_activation and i < len(params) - 1) else Z
            cache.append((stored, A) if entry == "Z-A_prev" else (A, stored))
            A = out
        return A, cache[::-1] if order == "reversed" else cache
    return forward


FORWARD = declare(
    Diagnosis("forward.relu-after-last", "ReLU after the last layer",
              "the logits equal the network's output with ReLU after the last layer too; the "
              "logits come straight from the last linear layer", _forward_with(relu_last=True)),
    Diagnosis("forward.cache-reversed", "cache in the wrong order",
              "cache is in reverse order: cache[0] must belong to the first layer",
              _forward_with(order="reversed")),
    Diagnosis("forward.cache-z-first", "cache in the wrong order",
              "cache entries are (Z, A_prev); store (A_prev, Z)", _forward_with(entry="Z-A_prev")),
    Diagnosis("forward.cache-activations", "cache holds activations instead of Z",
              "the cache of a hidden layer holds its ReLU output; store Z before the ReLU",
              _forward_with(cache_activation=True)),
)


def _substitutes(ctx, names) -> dict:
    return {name: getattr(ctx.ref, name) for name in names}


def _forward(ctx, sizes):
    params = inputs.params_for(ctx.ref, sizes, ctx.rng)
    X = inputs.normal(ctx.rng, int(ctx.rng.integers(2, 6)), sizes[0])
    answer = ctx.student.call("forward", (params, X), return_args=True,
                              substitute=_substitutes(ctx, _FORWARD_DEPS))
    expect_unchanged((params, X), answer.args_after, ("params", "X"), function="forward",
                     hint=FORWARD_HINT())
    value = answer.value
    if not isinstance(value, tuple | list) or len(value) != 2:
        raise Fail(FORWARD_NOT_TUPLE(kind=type(value).__name__))
    return params, X, tuple(value)


@check("forward.logits", function="forward", points=5,
       description="logits of 1- to 3-layer networks, ReLU between layers but not after the last")
def forward_logits(ctx) -> None:
    trail = Trail(FORWARD.values(), part=lambda value: value[0])
    for sizes in inputs.NETWORKS:
        params, X, got = _forward(ctx, sizes)
        expected = ctx.ref.forward(params, X)
        trail.diagnose((params, X), got, expected)
        expect_array(got[0], expected[0], "logits")


@check("forward.cache", function="forward", points=3,
       description="cache is a list of (A_prev, Z) per layer, in layer order")
def forward_cache(ctx) -> None:
    trail = Trail(FORWARD.values(), part=lambda value: value[1])
    for sizes in inputs.NETWORKS[1:]:
        params, X, got = _forward(ctx, sizes)
        expected = ctx.ref.forward(params, X)
        trail.diagnose((params, X), got, expected)
        cache, exp_cache = got[1], expected[1]
        if not isinstance(cache, list | tuple) or len(cache) != len(exp_cache):
            raise Fail(CACHE_NOT_LIST(layers=len(exp_cache), kind=type(cache).__name__))
        for i, (entry, (exp_A, exp_Z)) in enumerate(zip(cache, exp_cache)):
            if not isinstance(entry, list | tuple) or len(entry) != 2:
                raise Fail(CACHE_ENTRY(i=i))
            expect_array(entry[0], exp_A, f"cache[{i}][0] (A_prev)")
            expect_array(entry[1], exp_Z, f"cache[{i}][1] (Z)")


# ---------------------------------------------------------------- softmax and loss
def _logits(ctx, scale: float = 3.0, min_n: int = 1):
    n, k = int(ctx.rng.integers(min_n, 7)), int(ctx.rng.integers(2, 6))
    return inputs.normal(ctx.rng, n, k, scale=scale)


def _naive_softmax(logits):
    e = np.exp(logits)
    return e / e.sum(axis=1, keepdims=True)


SOFTMAX = declare(
    Diagnosis("softmax.wrong-axis", "softmax over the wrong axis",
              "P equals the softmax that normalizes the columns; every row (axis=1) must sum to 1",
              column_softmax),
    Diagnosis("softmax.no-max-shift", "exp of the raw logits overflows",
              "P holds NaN for logits ~ 1e3, exactly what np.exp(logits) / np.exp(logits).sum(...) "
              "gives there (inf / inf): subtract the row maximum before exp", _naive_softmax),
)
LINEAR_HINT = message("linear_forward.hint-new-array", "compute Z as a new array (X @ W + b gives "
                      "one); never write into X, W or b")
RELU_HINT = message("relu_forward.hint-new-array",
                    "return np.maximum(Z, 0), a new array, instead of Z[Z < 0] = 0")
FORWARD_HINT = message("forward.hint-keep-inputs",
                       "keep params and X as they are: every layer's output is a new array")
FORWARD_NOT_TUPLE = message("forward.not-tuple", "forward must return a tuple (logits, cache), "
                            "got {kind}")
CACHE_NOT_LIST = message("forward.cache-not-list", "cache must be a list with one (A_prev, Z) "
                         "tuple per layer ({layers} here), got {kind}")
CACHE_ENTRY = message("forward.cache-entry", "cache[{i}] must be a tuple (A_prev, Z)")
_SOFTMAX_HINT = message("softmax.hint-new-array", "subtract the row maximum into a new array "
                        "instead of changing logits (logits -= ...)")()
SOFTMAX_STABLE_NAME = message("softmax.stable-name", "P for logits ~ {scale:.0f}")
SCE_HINT_LOGITS = message("softmax_cross_entropy.hint-logits", "subtract the row maximum into a "
                          "new array (shifted = logits - ...), never logits -= ...")
SCE_HINT_LOGITS_SHORT = message("softmax_cross_entropy.hint-logits-short",
                                "subtract the row maximum into a new array")
SCE_HINT_LABELS = message("softmax_cross_entropy.hint-labels", "only read the labels")
SCE_NAME = message("softmax_cross_entropy.loss-name", "loss (y of dtype {dtype})")
SCE_STABLE_NAME = message("softmax_cross_entropy.stable-name", "the loss for logits ~ {scale:.0f}")
PREDICT_HINT = message("predict.hint-keep-inputs", "keep params and X as they are")
ACCURACY_HINT = message("accuracy.hint", "compare with np.mean(y_pred == y), without changing "
                        "y_pred or y")


@check("softmax.values", function="softmax", points=3,
       description="row-wise probabilities for random logits incl. N = 1, input unchanged")
def softmax_values(ctx) -> None:
    trail = Trail(SOFTMAX.values())
    for logits in (_logits(ctx), _logits(ctx, min_n=2), inputs.normal(ctx.rng, 1, 4),
                   inputs.normal(ctx.rng, 5, 3)):
        answer = ctx.student.call("softmax", (logits,), return_args=True)
        expect_unchanged((logits,), answer.args_after, ("logits",), hint=_SOFTMAX_HINT,
                         function="softmax")
        expected = ctx.ref.softmax(logits)
        trail.diagnose((logits,), answer.value, expected)
        expect_array(answer.value, expected, "P", type_name=answer.type_name)


@check("softmax.stable", function="softmax", points=3,
       description="finite, exact probabilities for logits ~ 1e2 and ~ 1e3 to 1e4, input unchanged")
def softmax_stable(ctx) -> None:
    trail = Trail(SOFTMAX.values())
    for scale in (ctx.rng.uniform(50, 300), ctx.rng.uniform(1e3, 1e4)):
        logits = _logits(ctx, scale=1.0, min_n=2) * scale
        if scale > 1e3:
            plant_extreme_row(ctx, logits)
        answer, event = extreme_call(ctx, "softmax", (logits,), ("logits",), _SOFTMAX_HINT)
        expected = ctx.ref.softmax(logits)
        trail.diagnose((logits,), answer.value, expected)
        judge_array(ctx, "softmax", answer, event, expected, SOFTMAX_STABLE_NAME(scale=scale))


def _sce_terms(logits, y):
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return -log_p[np.arange(len(y)), y]


SCE = declare(
    Diagnosis("softmax_cross_entropy.summed", "sum instead of mean",
              "the loss equals the sum over the batch: return the mean",
              lambda logits, y: float(np.sum(_sce_terms(logits, y)))),
    Diagnosis("softmax_cross_entropy.wrong-sign", "wrong sign",
              "the loss has the wrong sign: it is -log p_y, a positive number",
              lambda logits, y: -float(np.mean(_sce_terms(logits, y)))),
    Diagnosis("softmax_cross_entropy.naive-exp", "exp of the raw logits overflows",
              "for logits ~ 1e3 the loss is {got}, exactly what -log(exp(logits[y]) / "
              "exp(logits).sum()) gives there (exp overflows): use log-sum-exp with the row "
              "maximum subtracted",
              lambda logits, y: float(np.mean(-np.log(_naive_softmax(logits)[np.arange(len(y)), y])))),
    Diagnosis("softmax_cross_entropy.log-of-probability", "log of an underflowed probability",
              "for logits ~ 1e3 the loss is {got}, exactly what -log(softmax(logits)[y]) gives "
              "there: the probability underflows to 0 and log(0) = -inf; compute log p as "
              "shifted - log(sum(exp(shifted))) (log-sum-exp)",
              lambda logits, y: float(np.mean(-np.log(
                  _stable_softmax(logits)[np.arange(len(y)), y])))),
)


def _stable_softmax(logits):
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


@check("softmax_cross_entropy.values", function="softmax_cross_entropy", points=4,
       description="mean loss as a float, labels of several integer dtypes, inputs unchanged")
def sce_values(ctx) -> None:
    trail = Trail(SCE.values())
    for dtype in inputs.LABEL_DTYPES:
        logits = _logits(ctx, min_n=2)
        y = inputs.labels(ctx.rng, logits.shape[0], logits.shape[1], dtype)
        answer = ctx.student.call("softmax_cross_entropy", (logits, y), return_args=True,
                                  substitute=_substitutes(ctx, ("softmax",)))
        expect_unchanged((logits, y), answer.args_after, ("logits", "y"),
                         function="softmax_cross_entropy",
                         hint={"logits": SCE_HINT_LOGITS(), "y": SCE_HINT_LABELS()})
        expected = ctx.ref.softmax_cross_entropy(logits, y)
        trail.diagnose((logits, y), answer.value, expected, got=answer.value)
        expect_float(answer.value, expected, SCE_NAME(dtype=np.dtype(dtype).name),
                     type_name=answer.type_name)


@check("softmax_cross_entropy.stable", function="softmax_cross_entropy", points=3,
       description="finite, exact loss for logits ~ 1e2 and ~ 1e3 to 1e4 (log-sum-exp), inputs "
                   "unchanged")
def sce_stable(ctx) -> None:
    trail = Trail(SCE.values())
    for scale in (ctx.rng.uniform(50, 300), ctx.rng.uniform(1e3, 1e4)):
        logits = _logits(ctx, scale=1.0, min_n=2) * scale
        y = inputs.labels(ctx.rng, logits.shape[0], logits.shape[1])
        if scale > 1e3:
            row, top = plant_extreme_row(ctx, logits)
            k = logits.shape[1]
            y[row] = (top + 1 + int(ctx.rng.integers(k - 1))) % k  # its label's probability is 0.0
        answer, event = extreme_call(ctx, "softmax_cross_entropy", (logits, y), ("logits", "y"),
                                     {"logits": SCE_HINT_LOGITS_SHORT(), "y": SCE_HINT_LABELS()},
                                     substitute=_substitutes(ctx, ("softmax",)))
        expected = ctx.ref.softmax_cross_entropy(logits, y)
        trail.diagnose((logits, y), answer.value, expected, got=answer.value)
        judge_float(ctx, "softmax_cross_entropy", answer, event, expected,
                    SCE_STABLE_NAME(scale=scale))


PREDICT = declare(
    Diagnosis("predict.scores", "scores instead of labels",
              "predict returned the logits, one score per class; return the label with the "
              "largest logit (np.argmax over axis=1)", lambda params, X: _ref_logits(params, X)),
    Diagnosis("predict.float-labels", "float labels",
              "predict returned labels of dtype {dtype}: np.argmax gives integers; do not convert "
              "them"),
)


def _ref_logits(params, X):
    A = X
    for i, (W, b) in enumerate(params):
        Z = A @ W + b
        A = np.maximum(Z, 0.0) if i < len(params) - 1 else Z
    return A


@check("predict.values", function="predict", points=3,
       description="argmax labels of shape (N,) with an integer dtype, inputs unchanged")
def predict_values(ctx) -> None:
    trail = Trail(PREDICT.values())
    for sizes in inputs.NETWORKS:
        params = inputs.params_for(ctx.ref, sizes, ctx.rng)
        X = inputs.normal(ctx.rng, int(ctx.rng.integers(2, 8)), sizes[0])
        answer = ctx.student.call("predict", (params, X), return_args=True,
                                  substitute=_substitutes(ctx, ("forward", *_FORWARD_DEPS)))
        expect_unchanged((params, X), answer.args_after, ("params", "X"), function="predict",
                         hint=PREDICT_HINT())
        got, expected = answer.value, ctx.ref.predict(params, X)
        trail.diagnose((params, X), got, expected)
        if isinstance(got, np.ndarray) and got.dtype.kind not in "iu" and same(got, expected):
            raise Fail.of(PREDICT["float-labels"], dtype=got.dtype)
        expect_array(got, expected, "y_pred", type_name=answer.type_name)


ACCURACY = declare(
    Diagnosis("accuracy.count", "count instead of fraction",
              "accuracy returned the number of correct labels; return the fraction",
              lambda y_pred, y: int(np.sum(np.asarray(y_pred) == np.asarray(y)))),
)


@check("accuracy.values", function="accuracy", points=2,
       description="fraction of correct labels as a float, several label dtypes, inputs unchanged")
def accuracy_values(ctx) -> None:
    trail = Trail(ACCURACY.values())
    for dtype in inputs.LABEL_DTYPES:
        n = int(ctx.rng.integers(2, 30))
        y = inputs.labels(ctx.rng, n, 3, dtype)
        y_pred = np.where(ctx.rng.random(n) < 0.6, y, inputs.labels(ctx.rng, n, 3, dtype))
        answer = ctx.student.call("accuracy", (y_pred, y), return_args=True)
        expect_unchanged((y_pred, y), answer.args_after, ("y_pred", "y"), function="accuracy",
                         hint=ACCURACY_HINT())
        expected = ctx.ref.accuracy(y_pred, y)
        trail.diagnose((y_pred, y), answer.value, expected)
        expect_float(answer.value, expected, "accuracy", type_name=answer.type_name)
