"""Inputs and probes that the spec modules of several assignments share: extreme rows that expose
unstable code, the wrong-axis softmax for diagnoses, and the gradient check of a student's
backward against the numerical gradient of their own forward.

Spec modules import these rather than each other: importing a spec module registers its checks.
"""

from __future__ import annotations

import types
from collections.abc import Callable

import numpy as np

from autograde_tests.compare import WITH_NOTE, Fail, close, expect_unchanged, norm_rel_error
from autograde_tests.diagnosis import SHARED
from autograde_tests.messages import Text, message
from nnkit_contract.outcomes import CallFailed
from nnkit_contract.values import RngSeed

#: Relative error below which a gradient agrees with a numerical gradient (float64, h = 1e-5).
GRADCHECK_RTOL = 1e-6
#: Step of the central differences of the gradient checks.
GRADCHECK_H = 1e-5


def numerical_gradient(f: Callable[[np.ndarray], float], x: np.ndarray, h: float = GRADCHECK_H
                       ) -> np.ndarray:
    """Central differences of the scalar function f at x (the grader's own, trusted code).

    Inputs:
    - f: function of an array of x's shape, returning a float
    - x: float array of any shape (changed during the call, restored before it returns)
    Returns: array of x's shape, (f(x + h e_i) - f(x - h e_i)) / 2h per entry.
    """
    grad = np.zeros(x.shape)
    for i in np.ndindex(*x.shape):
        saved = x[i]
        x[i] = saved + h
        up = f(x)
        x[i] = saved - h
        down = f(x)
        x[i] = saved
        grad[i] = (up - down) / (2 * h)
    return grad


NOTE_UNUSABLE = message("probes.note-own-forward-unusable",
                        "(your `{forward}` could not be used for a numerical check)")
NOTE_MATCHES = message("probes.note-own-forward-matches",
                       "Your {what} matches the numerical gradient of your own `{forward}`, so "
                       "`{forward}` itself computes another function than the expected one.")
NOTE_DIFFERS = message("probes.note-own-forward-differs",
                       "Your {what} does not match the numerical gradient of your own `{forward}` "
                       "either (relative error {error:.1e}): the backward formula is wrong.")


def own_forward_note(ctx, got: np.ndarray, f: Callable[[np.ndarray], float], x: np.ndarray,
                     what: str, forward_name: str) -> Text | str:
    """One sentence comparing the student's gradient with the numerical gradient of their own
    forward f (a gradient check that adds to a failure's message, never to its points)."""
    try:
        numeric = numerical_gradient(f, x.astype(float).copy())
    except (CallFailed, TypeError, ValueError, IndexError):
        return NOTE_UNUSABLE(forward=forward_name)
    if not isinstance(got, np.ndarray) or got.shape != numeric.shape:
        return ""
    error = norm_rel_error(got, numeric)
    if error < GRADCHECK_RTOL:
        return NOTE_MATCHES(what=what, forward=forward_name)
    return NOTE_DIFFERS(what=what, forward=forward_name, error=error)


def scalar(answer) -> float:
    """The float an Answer holds (a 1-element array counts)."""
    value = answer.value
    if isinstance(value, np.ndarray) and value.size == 1:
        return float(value.ravel()[0])
    return float(value)


def with_note(fail: Fail, note: Text | str) -> Fail:
    """`fail` with one more line of explanation."""
    if not note:
        return fail
    return Fail(WITH_NOTE(message=fail.text or fail.message, note=note), fail.cause, fail.values)


def plant_extreme_row(ctx, logits: np.ndarray) -> tuple[int, int]:
    """Make one random row of large logits certain to expose unstable code: its largest logit
    is above exp's overflow point (~709) and every other logit lies at least 1.5e3 below it, so
    that their probabilities underflow to exactly 0. Returns (row, column of the largest)."""
    n, k = logits.shape
    row, top = int(ctx.rng.integers(n)), int(ctx.rng.integers(k))
    big = ctx.rng.uniform(1e3, 1e4)
    logits[row] = -big * ctx.rng.uniform(0.5, 1.0, size=k)
    logits[row, top] = big
    return row, top


def column_softmax(logits: np.ndarray) -> np.ndarray:
    """Softmax over the wrong axis (every column sums to 1), for diagnoses."""
    e = np.exp(logits - logits.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


# ------------------------------------------------------------- the training checks' verdicts

HINT_TRAIN_INPUTS = message("probes.hint-train-inputs",
                            "shuffle by indexing, X[batch] and y[batch] with the permutation; "
                            "never shuffle or scale the arrays you are given")
TRAIN_NOT_TUPLE = message("probes.train-not-tuple",
                          "train must return a tuple (params, history), got {kind}")
HISTORY_NOT_DICT = message("probes.history-not-dict", "history must be a dict whose 'loss' entry "
                           "is a list with one float per epoch")
PARAMS_NOT_LIST = message("probes.params-not-list",
                          "train must return params as a list of (W, b) tuples of arrays")
PARAMS_NOT_FITTING = message("probes.params-not-fitting",
                             "{where}the returned params do not have the shapes of a network with "
                             "layer sizes {sizes}")
HISTORY_NOT_FINITE = message("probes.history-not-finite",
                             "history['loss'] must hold {epochs} finite floats, one per epoch")


def student_train(ctx, args: tuple, timeout: float, substitute: dict | None = None, *,
                  inputs_unchanged: bool = False) -> tuple[list, dict]:
    """Call the student's train(*args) and check the shape of what comes back.

    Inputs: args start with X, shape (N, D), and y, shape (N,). inputs_unchanged: also fail when
    train changed X or y in place (the exact loop checks, as the students' own check does).
    Returns params, a list of (W, b) array pairs, and history, a dict whose "loss" is a list;
    anything else is a Fail that says what train must return."""
    answer = ctx.student.call("train", args, substitute=substitute, timeout=timeout,
                              return_args=inputs_unchanged)
    if inputs_unchanged:
        expect_unchanged(args[:2], answer.args_after, ("X", "y"), function="train",
                         hint=HINT_TRAIN_INPUTS())
    value = answer.value
    if not isinstance(value, tuple | list) or len(value) != 2:
        raise Fail(TRAIN_NOT_TUPLE(kind=type(value).__name__))
    params, history = value
    if not isinstance(history, dict) or not isinstance(history.get("loss"), list | tuple):
        raise Fail(HISTORY_NOT_DICT())
    if not isinstance(params, list | tuple) or not all(
            isinstance(p, list | tuple) and len(p) == 2 and all(isinstance(a, np.ndarray) for a in p)
            for p in params):
        raise Fail(PARAMS_NOT_LIST())
    return list(params), history


def same_params(a: list, b: list) -> bool:
    """Two lists of (W, b) pairs agree entry by entry (the exact loop checks' tolerance)."""
    return len(a) == len(b) and all(close(x[0], y[0], 1e-9, 1e-12) and close(x[1], y[1], 1e-9, 1e-12)
                                    for x, y in zip(a, b))


def drawn_for_run(seed: int, items: tuple | list, k: int) -> list:
    """The k items (in their listed order) a training check uses in a run: drawn by the check's
    seed, so every run seed trains on its own selection and every grading path on the same one."""
    order = np.random.default_rng(seed).permutation(len(items))
    return [items[i] for i in sorted(order[:k])]


def expect_fits(params: list, sizes: list[int], where: str = "") -> None:
    """Fail unless params are [(W, b), ...] with W of shape (sizes[i], sizes[i+1]) and b of shape
    (sizes[i+1],): the shapes of a network with these layer sizes."""
    try:
        fits = len(params) == len(sizes) - 1 and all(
            np.shape(W) == (c_in, c_out) and np.shape(b) == (c_out,)
            for (W, b), c_in, c_out in zip(params, sizes[:-1], sizes[1:]))
    except (TypeError, ValueError):   # not a list of pairs of arrays
        fits = False
    if not fits:
        raise Fail(PARAMS_NOT_FITTING(where=where, sizes=str(sizes)))


def expect_accuracy(acc: float, threshold: float, where: str, seed: int) -> None:
    """Fail when the test accuracy of a student-made training is below its calibrated threshold
    (NaN counts as below)."""
    if not acc >= threshold:
        raise Fail.of(SHARED["low-accuracy"], case=where, accuracy=f"{acc:.3f}",
                      threshold=f"{threshold:.2f}", seed=seed)


def turned(X: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """X (N, 2) turned about the origin by an angle drawn from rng, at least 30 degrees away from
    every multiple of 90 (so away from the symmetries of the shipped datasets): for the short
    training of a loss-decrease check, whose bar does not depend on calibrated thresholds, so a
    network trained beforehand on the shipped data fits none of its draws."""
    angle = np.radians(rng.uniform(30.0, 60.0) + 90.0 * int(rng.integers(4)))
    return X @ np.array([[np.cos(angle), np.sin(angle)], [-np.sin(angle), np.cos(angle)]])


def label_entropy(y: np.ndarray) -> float:
    """Cross-entropy of predicting every example's class by the class frequencies of y (N,)."""
    freq = np.bincount(np.asarray(y, dtype=np.int64)) / len(y)
    freq = freq[freq > 0]
    return float(-(freq * np.log(freq)).sum())


def expect_loss_decreased(before: float, after: float, losses: list, epochs: int,
                          y: np.ndarray) -> None:
    """Fail unless the loss of the returned parameters is below the loss at initialization and
    below the loss of predicting the class frequencies of y (N,) (the reference ends far below
    both, e.g. 0.03 against ln 2 on moons after 5 epochs), and the history holds one finite float
    per epoch. A loop that returns its start, a made-up history, or a network trained beforehand
    on other data (graded draws are turned and relabelled) earns nothing."""
    floor = label_entropy(y)
    if not np.isfinite(after) or after >= before:
        raise Fail.of(SHARED["loss-not-reduced"], before=f"{before:.4g}", after=f"{after:.4g}")
    if after >= floor:
        raise Fail.of(SHARED["no-better-than-frequencies"], after=f"{after:.4g}",
                      floor=f"{floor:.4g}")
    if len(losses) != epochs or not all(isinstance(v, int | float) and np.isfinite(v) for v in losses):
        raise Fail(HISTORY_NOT_FINITE(epochs=epochs))


# ------------------------------------------------------------- the tie to the student's own functions

#: Largest share of the first step of a student's `train` that may go against the step that the
#: submission's own functions make from the same start on the same data (each parameter's step
#: times that step, summed over the entries where the signs differ, over the sum of their sizes).
#: Measured on fresh draws of every case: an honest loop 0 (the same functions on the same
#: numbers); a network from elsewhere returned as the first step, at least 0.15 (median 0.43); a
#: loop that steps twice on one batch, up to 0.08 (median 0.003), a loop mistake that train.loop
#: charges already.
OWN_STEP_UPHILL = 1e-3
#: The start of every message of the tie (the hostile tests look for it).
NOT_OWN = "the first step of your train is not the step of your own functions"
OWN_MOVES_ELSEWHERE = message("probes.own-moves-elsewhere",
                              "moves the parameters where the step of your own functions does "
                              "not, or the other way round")
OWN_GOES_AGAINST = message("probes.own-goes-against",
                           "does not go the way of the step that your own {called} make from your "
                           "train's start ({against:.1%} of it goes the other way)")
OWN_FIRST_STEP = message("probes.own-first-step",
                         "{where}the first step of your train is not the step of your own "
                         "functions: your train's first step (one epoch, one batch of all {n} "
                         "examples) {how}; the training checks count only a network that your "
                         "train trains with your own {called}")
OWN_RUN_FAILED = message("probes.own-run-failed",
                         "{where}the first step of your train is not the step of your own "
                         "functions: on the same data, train with epochs={epochs} and "
                         "batch_size={batch_size} failed ({detail}); the training checks count a "
                         "network only when your train's first step is the step of your own "
                         "functions")
OWN_SHAPES = message("probes.own-shapes",
                     "{where}the first step of your train is not the step of your own functions: "
                     "the parameters after one step of your own functions do not have the shapes "
                     "of your train's start")
OWN_CALL_FAILED = message("probes.own-call-failed",
                          "{where}the first step of your train is not the step of your own "
                          "functions: calling your own functions as train calls them failed "
                          "({detail})")
OWN_UNUSABLE = message("probes.own-unusable",
                       "{where}the first step of your train is not the step of your own "
                       "functions: what your own functions return cannot be used as train uses "
                       "it ({error}: {detail})")
#: The tie's verdict is an observation it measured (declared in autograde_tests.diagnosis).
_NOT_OWN_CAUSE = SHARED["not-own-step"]


def expect_own_functions(ctx, args: tuple, deps: tuple[str, ...], timeout: float, *,
                         update: str, epochs_at: int = 4, batch_at: int = 5,
                         keep_prob_at: int | None = None, where: str = "") -> None:
    """Fail unless `train`, on the data of `args`, steps as the submission's own functions do.

    An end-to-end check measures the network of one student-made `train(*args)` call; nothing in
    that network shows how it was made, and a `train` can tell the exact loop checks (where the
    reference stands in for its functions) from the measured run. So the measured network counts
    only when, on the same data and seed, `train`'s first step is the step that the submission's
    own functions make:
    - `train` runs for 0 epochs (its start P0) and for 1 epoch of one batch of all N examples,
      dropout off (P1) (once more, each in a fresh process, before a failure counts);
    - the grader runs the *reference's* loop for that epoch (one step), here in the grading
      process, from P0, with every function it calls that the exact loop checks replace (`deps`)
      and the step function `update` being the submission's own, called one at a time in the
      sandbox: the step S that the submission's own functions make from P0;
    - P1 - P0 must go the way S goes, entry by entry (OWN_STEP_UPHILL), and must not move where S
      does not: a stub among the functions, a network made elsewhere or a step that ignores the
      student's own functions fails; the loop's own mistakes that keep the step (the optimizer's
      later steps, a smaller last batch dropped) are the exact loop checks' business.
    The loop's generator never crosses into the sandbox: with one batch of all examples its
    permutation changes nothing but the order of sums, and without dropout nothing draws from it.

    Inputs: args, the measured call's arguments (X (N, D) and y (N,) first); epochs_at, batch_at,
    keep_prob_at: positions of epochs, batch_size and keep_prob (None: no dropout) in args."""
    n = len(args[0])
    short = list(args)
    short[batch_at] = n
    if keep_prob_at is not None:
        short[keep_prob_at] = 1.0
    # First in the current process. A train whose init_params draws from NumPy's global generator
    # (not the one it is given) starts elsewhere on every call, so its runs are repeated, each in a
    # fresh process, which starts from the same global state, before the step counts as not its own.
    failure = None
    for fresh in (False, True):
        try:
            against = _against_share(ctx, tuple(short), epochs_at, deps, timeout, update, fresh,
                                     where)
        except Fail as exc:
            failure = exc
            continue
        if against is not None and against <= OWN_STEP_UPHILL:
            return
        called = ", ".join(name for name in deps if name in ctx.ref.train.__code__.co_names
                           and name != "init_params")
        how = OWN_MOVES_ELSEWHERE() if against is None else \
            OWN_GOES_AGAINST(called=called, against=against)
        failure = Fail(OWN_FIRST_STEP(where=where, n=n, how=how, called=called), _NOT_OWN_CAUSE)
    raise failure


def _against_share(ctx, short: tuple, epochs_at: int, deps: tuple[str, ...], timeout: float,
                   update: str, fresh: bool, where: str) -> float | None:
    """One attempt of expect_own_functions: train's start P0 and first step P1 on `short` (each
    run in a fresh process when `fresh`), then the step S of the submission's own functions from
    P0 (in the process of the second run). Returns the share of P1 - P0 that goes against S; 0
    when neither moves; None when exactly one of them moves."""
    runs = []
    for epochs in (0, 1):
        args = list(short)
        args[epochs_at] = epochs
        if fresh:
            ctx.student.new_check()
        try:
            runs.append(student_train(ctx, tuple(args), timeout)[0])
        except (Fail, CallFailed) as exc:
            detail = exc.message if isinstance(exc, Fail) else exc.feedback
            raise Fail(OWN_RUN_FAILED(where=where, epochs=epochs, batch_size=len(short[0]),
                                      detail=detail.splitlines()[0]),
                       _NOT_OWN_CAUSE) from None
    start, mine = runs
    own = _own_step(ctx, short, epochs_at, deps, start, update, where)
    if not (_same_shapes(mine, start) and _same_shapes(own, start)):
        raise Fail(OWN_SHAPES(where=where), _NOT_OWN_CAUSE)

    def flat(params) -> np.ndarray:
        return np.concatenate([(np.asarray(a, dtype=float) - a0).ravel()
                               for p, p0 in zip(params, start) for a, a0 in zip(p, p0)])

    step, expected = flat(mine), flat(own)
    moved, should = bool(np.any(step != 0)), bool(np.any(expected != 0))
    if not moved and not should:
        return 0.0
    products = step * expected
    total = float(np.abs(products).sum())
    if moved != should or total == 0:
        return None
    return float((-products).clip(min=0.0).sum()) / total


def _own_step(ctx, args: tuple, epochs_at: int, deps: tuple[str, ...], start: list,
              update: str, where: str) -> list:
    """The parameters after the reference's train(*args) for one epoch of one batch (one step),
    run here with the submission's own functions for `deps` and `update` (each a call into the
    sandbox) and P0 = `start` as its initialization."""
    ref_train = ctx.ref.train
    names = dict(ref_train.__globals__)

    def own(name: str) -> Callable:
        def call(*call_args, **kwargs):
            if kwargs:
                raise TypeError(f"{name} is called with keywords, which the grader cannot replay")
            plain = tuple(RngSeed(0) if isinstance(a, np.random.Generator) else a for a in call_args)
            return ctx.student.call(name, plain).value
        return call

    def init_params(*call_args):
        ctx.ref.init_params(*call_args)   # advances the loop's generator as the reference does
        return start

    for name in (*deps, update):
        if name in names:
            names[name] = own(name)
    names["init_params"] = init_params
    loop = types.FunctionType(ref_train.__code__, names, ref_train.__name__,
                              ref_train.__defaults__, ref_train.__closure__)
    one = list(args)
    one[epochs_at] = 1
    try:
        with np.errstate(all="ignore"):
            params = loop(*one)[0]
    except CallFailed as exc:
        raise Fail(OWN_CALL_FAILED(where=where, detail=exc.feedback.splitlines()[0]
                                   if exc.feedback else exc.kind), _NOT_OWN_CAUSE) from None
    except (TypeError, ValueError, IndexError, KeyError, AttributeError) as exc:
        raise Fail(OWN_UNUSABLE(where=where, error=type(exc).__name__, detail=str(exc)[:200]),
                   _NOT_OWN_CAUSE) from None
    return list(params)


def _same_shapes(params, start: list) -> bool:
    try:
        return len(params) == len(start) and all(
            len(p) == 2 and np.shape(a) == np.shape(a0) for p, p0 in zip(params, start)
            for a, a0 in zip(p, p0))
    except TypeError:
        return False
