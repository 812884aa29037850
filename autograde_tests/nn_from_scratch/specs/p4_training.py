"""Part 4: the SGD step and the training loop.

`train` is checked twice: once with every other function replaced by the reference (the loop
itself must reproduce the reference run exactly: seeding, shuffling, batching, history), and once
fully student-made, where the grader computes the test accuracy with the reference `predict` on
the returned parameters and compares it with calibrated thresholds. The student-made checks train
on fresh draws of the datasets (seeded by the run seed, the same for the whole class), never on
the shipped files, and count a network only when `train`'s first step on the same data goes down
the gradient of the student's own functions (probes.expect_own_functions: the reference's loop
run with the student's functions, the mirror image of the exact checks).
"""

from __future__ import annotations

import numpy as np

from autograde_tests import calibration, inputs
from autograde_tests.compare import Fail, close, expect_array, expect_unchanged
from autograde_tests.engine import check, time_limit
from autograde_tests.nn_from_scratch.training import train_args
from autograde_tests.probes import (
    drawn_for_run,
    expect_accuracy,
    expect_fits,
    expect_loss_decreased,
    expect_own_functions,
    same_params,
    student_train,
    turned,
)

#: Functions replaced by the reference when the loop alone is under test.
TRAIN_DEPS = ("init_params", "linear_forward", "relu_forward", "forward", "softmax",
              "softmax_cross_entropy", "predict", "accuracy", "linear_backward", "relu_backward",
              "softmax_cross_entropy_backward", "backward", "sgd_step")
#: Small problem for the exact loop check: N is not a multiple of the batch size on purpose.
LOOP_PROBLEM = {"n": 23, "sizes": [2, 5, 3], "lr": 0.05, "epochs": 3, "batch_size": 5}
#: How many of the six datasets the accuracy check trains on per grading run (chosen by the run
#: seed, the same for every student of a run); each costs about 0.3 s of training.
ACCURACY_DATASETS_PER_RUN = 2
#: Dataset and epochs for the loss-decreases check.
LOSS_CHECK = {"dataset": "moons", "epochs": 5}
#: How the loop steps, for the tie of the student-made checks to the student's own functions
#: (probes.expect_own_functions): the step function and the position of its gradients.
OWN_STEP = {"update": "sgd_step", "grads_at": 1}
#: CPU seconds allowed for one student training run (the reference needs < 1 s; a correct but
#: loop-based `linear_forward` about 22 s). Counted in CPU time, so a busy grading machine does
#: not change the outcome.
TRAIN_TIMEOUT = time_limit("train", 30.0)


@check("sgd_step.values", function="sgd_step", points=4,
       description="W - lr dW and b - lr db for every layer, params not modified")
def sgd_values(ctx) -> None:
    for sizes in inputs.NETWORKS:
        params = inputs.params_for(ctx.ref, sizes, ctx.rng)
        grads = [(inputs.normal(ctx.rng, *W.shape), inputs.normal(ctx.rng, *b.shape)) for W, b in params]
        lr = float(ctx.rng.uniform(0.01, 0.5))
        answer = ctx.student.call("sgd_step", (params, grads, lr), return_args=True)
        expect_unchanged((params, grads), answer.args_after[:2],
                         ("params", "grads"),
                         hint="build new arrays, [(W - lr * dW, b - lr * db), ...], instead of W -= lr * dW")
        new = answer.value
        expected = ctx.ref.sgd_step(params, grads, lr)
        if not isinstance(new, list | tuple) or len(new) != len(params):
            raise Fail(f"sgd_step must return a list of {len(params)} (W, b) tuples")
        for i, (got, exp, (W, _), (dW, _)) in enumerate(zip(new, expected, params, grads), start=1):
            if not isinstance(got, list | tuple) or len(got) != 2:
                raise Fail(f"new_params[{i - 1}] must be a tuple (W, b)")
            if close(got[0], W + lr * dW):
                raise Fail("sgd_step adds the gradient; a descent step subtracts it: W - lr * dW",
                           "sgd_step adds the gradient")
            expect_array(got[0], exp[0], f"new W_{i}")
            expect_array(got[1], exp[1], f"new b_{i}")


def _student_train(ctx, args: tuple, substitute: dict | None = None, **options):
    return student_train(ctx, args, TRAIN_TIMEOUT, substitute, **options)


def _loop_problem(ctx):
    p = LOOP_PROBLEM
    X = inputs.normal(ctx.rng, p["n"], p["sizes"][0])
    y = inputs.labels(ctx.rng, p["n"], p["sizes"][-1])
    seed = int(ctx.rng.integers(2**31))
    return X, y, p["sizes"], p["lr"], p["epochs"], p["batch_size"], seed


def _variant(ctx, X, y, sizes, lr, epochs, batch_size, seed, *, shuffle=True, drop_last=False,
             shuffle_y=True):
    """A deliberately altered training loop (diagnosis only), built from reference functions.
    shuffle_y=False: X is shuffled, y is taken in its original order (the pairs come apart)."""
    ref = ctx.ref
    rng = np.random.default_rng(seed)
    params = ref.init_params(sizes, rng)
    for _ in range(epochs):
        order = rng.permutation(len(X)) if shuffle else np.arange(len(X))
        labels = y[order] if shuffle_y else y
        stop = len(X) - len(X) % batch_size if drop_last else len(X)
        for start in range(0, stop, batch_size):
            batch = order[start:start + batch_size]
            logits, cache = ref.forward(params, X[batch])
            grads = ref.backward(params, cache, ref.softmax_cross_entropy_backward(
                logits, labels[start:start + batch_size]))
            params = ref.sgd_step(params, grads, lr)
    return params


def _pairs_apart(ctx, params, X, y, sizes, lr, epochs, batch_size, seed) -> None:
    """Fail with the real cause when X was shuffled but y was not."""
    if same_params(params, _variant(ctx, X, y, sizes, lr, epochs, batch_size, seed,
                                     shuffle_y=False)):
        raise Fail("X and y are shuffled apart, so examples lose their labels: draw one "
                       "idx = rng.permutation(N) per epoch and take X[idx] and y[idx] together",
                       "X and y shuffled apart")


@check("train.one-step", function="train", points=3,
       description="one epoch with one full batch equals one reference SGD step")
def train_one_step(ctx) -> None:
    X, y, sizes, lr, _, _, seed = _loop_problem(ctx)
    subs = {n: getattr(ctx.ref, n) for n in TRAIN_DEPS}
    params, _ = _student_train(ctx, (X, y, sizes, lr, 1, len(X), seed), subs)
    rng = np.random.default_rng(seed)
    start = ctx.ref.init_params(sizes, rng)
    logits, cache = ctx.ref.forward(start, X)
    expected = ctx.ref.sgd_step(start, ctx.ref.backward(
        start, cache, ctx.ref.softmax_cross_entropy_backward(logits, y)), lr)
    if same_params(params, start):
        raise Fail("the parameters did not change: train takes no SGD step", "no update")
    if not same_params(params, expected):
        _pairs_apart(ctx, params, X, y, sizes, lr, 1, len(X), seed)
        if len(params) == len(expected) and same_params(params, ctx.ref.init_params(sizes, np.random.default_rng(0))):
            raise Fail("the parameters do not depend on `seed`: create rng = np.random.default_rng(seed)")
        raise Fail("after one full-batch step the parameters differ from one SGD step from "
                   "init_params(layer_sizes, np.random.default_rng(seed)); create the generator from "
                   "`seed` and pass it to init_params", "wrong initialization or update")


@check("train.loop", function="train", points=4,
       description="epochs x shuffled mini-batches (last one smaller) and the loss history, exactly; "
                   "X and y unchanged")
def train_loop(ctx) -> None:
    X, y, sizes, lr, epochs, batch_size, seed = _loop_problem(ctx)
    subs = {n: getattr(ctx.ref, n) for n in TRAIN_DEPS}
    params, history = _student_train(ctx, (X, y, sizes, lr, epochs, batch_size, seed), subs,
                                     inputs_unchanged=True)
    exp_params, exp_history = ctx.ref.train(X, y, sizes, lr, epochs, batch_size, seed)
    if not same_params(params, exp_params):
        if same_params(params, _variant(ctx, X, y, sizes, lr, epochs, batch_size, seed, shuffle=False)):
            raise Fail("the examples are never shuffled: draw rng.permutation(N) at the start of every "
                       "epoch", "no shuffling")
        _pairs_apart(ctx, params, X, y, sizes, lr, epochs, batch_size, seed)
        if same_params(params, _variant(ctx, X, y, sizes, lr, epochs, batch_size, seed, drop_last=True)):
            raise Fail(f"the last, smaller batch of each epoch is skipped (N = {len(X)}, batch_size = "
                       f"{batch_size}): it must be trained on too", "last batch dropped")
        raise Fail("the trained parameters differ from the expected run: use one generator "
                   "rng = np.random.default_rng(seed) for init_params and then one rng.permutation(N) "
                   "per epoch, batches in that order, one SGD step per batch")
    losses = np.asarray(history["loss"], dtype=float)
    expected = np.asarray(exp_history["loss"])
    if losses.shape != expected.shape:
        raise Fail(f"history['loss'] has {losses.size} values; expected one per epoch ({epochs})")
    if not close(losses, expected, 1e-9, 1e-12):
        raise Fail("history['loss'] is not the mean training loss per epoch (batch losses weighted by "
                   "batch size, divided by N)\n  your loss: " + np.array2string(losses, precision=6)
                   + "\n  expected:  " + np.array2string(expected, precision=6), "wrong loss history")


def _datasets_for_run(ctx) -> list[str]:
    from toy2d import DATASETS

    return drawn_for_run(ctx.seed, DATASETS, ACCURACY_DATASETS_PER_RUN)


@check("train.accuracy", function="train", points=5,
       description="fully student-made training reaches the calibrated test accuracy")
def train_accuracy(ctx) -> None:
    for name in _datasets_for_run(ctx):
        draw = int(ctx.rng.integers(2**31))
        X_train, y_train, X_test, y_test = calibration.normalized(name, draw)
        seed = int(ctx.rng.integers(2**31))
        args = train_args(ctx.ref, name, X_train, y_train, seed)
        params, _ = _student_train(ctx, args)
        expect_fits(params, args[2], f"{name}: ")
        try:
            with np.errstate(all="ignore"):
                acc = ctx.ref.accuracy(ctx.ref.predict(params, X_test), y_test)
        except ValueError:
            raise Fail(f"{name}: the returned params do not fit a network of the requested layer sizes") from None
        expect_accuracy(acc, calibration.threshold(ctx.ref.assignment, name), name, seed)
        expect_own_functions(ctx, args, TRAIN_DEPS, TRAIN_TIMEOUT, **OWN_STEP, where=f"{name}: ")


@check("train.loss-decreases", function="train", points=2,
       description="the loss of the returned parameters is below the loss at initialization and "
                   "below predicting the class frequencies (on a turned draw)")
def train_loss_decreases(ctx) -> None:
    name, epochs = LOSS_CHECK["dataset"], LOSS_CHECK["epochs"]
    X_train, y_train, _, _ = calibration.normalized(name, int(ctx.rng.integers(2**31)))
    seed = int(ctx.rng.integers(2**31))
    X_train = turned(X_train, ctx.rng)
    args = list(train_args(ctx.ref, name, X_train, y_train, seed))
    args[4] = epochs
    params, history = _student_train(ctx, tuple(args))
    expect_fits(params, args[2])
    start = ctx.ref.init_params(args[2], np.random.default_rng(seed))
    with np.errstate(all="ignore"):
        try:
            before = ctx.ref.softmax_cross_entropy(ctx.ref.forward(start, X_train)[0], y_train)
            after = ctx.ref.softmax_cross_entropy(ctx.ref.forward(params, X_train)[0], y_train)
        except ValueError:
            raise Fail("the returned params do not fit a network of the requested layer sizes") from None
    expect_loss_decreased(before, after, history["loss"], epochs, y_train)
    expect_own_functions(ctx, tuple(args), TRAIN_DEPS, TRAIN_TIMEOUT, **OWN_STEP)
