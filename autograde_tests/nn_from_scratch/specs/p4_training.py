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
from autograde_tests.compare import (
    WRONG_SHAPE,
    Fail,
    close,
    expect_array,
    expect_unchanged,
    what_differs,
)
from autograde_tests.diagnosis import Diagnosis, Trail, declare
from autograde_tests.engine import check, time_limit
from autograde_tests.messages import Text, message
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
#: (probes.expect_own_functions): the step function, the student's own in the replay.
OWN_STEP = {"update": "sgd_step"}
#: CPU seconds allowed for one student training run (the reference needs < 1 s; a correct but
#: loop-based `linear_forward` about 22 s). Counted in CPU time, so a busy grading machine does
#: not change the outcome.
TRAIN_TIMEOUT = time_limit("train", 30.0)


SGD = declare(
    Diagnosis("sgd_step.adds-gradient", "sgd_step adds the gradient",
              "new_params equal W + lr * dW: a descent step subtracts the gradient, W - lr * dW",
              lambda params, grads, lr: [(W + lr * dW, b + lr * db)
                                         for (W, b), (dW, db) in zip(params, grads)]),
)


@check("sgd_step.values", function="sgd_step", points=4,
       description="W - lr dW and b - lr db for every layer, params not modified")
def sgd_values(ctx) -> None:
    trail = Trail(SGD.values())
    for sizes in inputs.NETWORKS:
        params = inputs.params_for(ctx.ref, sizes, ctx.rng)
        grads = [(inputs.normal(ctx.rng, *W.shape), inputs.normal(ctx.rng, *b.shape)) for W, b in params]
        lr = float(ctx.rng.uniform(0.01, 0.5))
        answer = ctx.student.call("sgd_step", (params, grads, lr), return_args=True)
        expect_unchanged((params, grads), answer.args_after[:2], ("params", "grads"),
                         function="sgd_step",
                         hint={"params": SGD_HINT_PARAMS(), "grads": SGD_HINT_GRADS()})
        new = answer.value
        expected = ctx.ref.sgd_step(params, grads, lr)
        trail.diagnose((params, grads, lr), new, expected)
        if not isinstance(new, list | tuple) or len(new) != len(params):
            raise Fail(SGD_NOT_LIST(count=len(params)))
        for i, (got, exp) in enumerate(zip(new, expected), start=1):
            if not isinstance(got, list | tuple) or len(got) != 2:
                raise Fail(SGD_ENTRY(i=i - 1))
            expect_array(got[0], exp[0], SGD_NEW_W(i=i))
            expect_array(got[1], exp[1], SGD_NEW_B(i=i))


def _student_train(ctx, args: tuple, substitute: dict | None = None, **options):
    return student_train(ctx, args, TRAIN_TIMEOUT, substitute, **options)


def _loop_problem(ctx):
    p = LOOP_PROBLEM
    X = inputs.normal(ctx.rng, p["n"], p["sizes"][0])
    y = inputs.labels(ctx.rng, p["n"], p["sizes"][-1])
    seed = int(ctx.rng.integers(2**31))
    return X, y, p["sizes"], p["lr"], p["epochs"], p["batch_size"], seed


def _variant(ref, X, y, layer_sizes, lr, epochs, batch_size, seed, *, shuffle=True, drop_last=False,
             shuffle_y=True):
    """A deliberately altered training loop (the alternatives of the diagnoses below), built from
    reference functions; returns (params, history) as train does. shuffle_y=False: X is
    shuffled, y is taken in its original order (the pairs come apart)."""
    rng = np.random.default_rng(seed)
    params = ref.init_params(layer_sizes, rng)
    losses = []
    for _ in range(epochs):
        order = rng.permutation(len(X)) if shuffle else np.arange(len(X))
        labels = y[order] if shuffle_y else y
        stop = len(X) - len(X) % batch_size if drop_last else len(X)
        total = 0.0
        for start in range(0, stop, batch_size):
            batch = order[start:start + batch_size]
            logits, cache = ref.forward(params, X[batch])
            yb = labels[start:start + batch_size]
            total += ref.softmax_cross_entropy(logits, yb) * len(batch)
            grads = ref.backward(params, cache, ref.softmax_cross_entropy_backward(logits, yb))
            params = ref.sgd_step(params, grads, lr)
        losses.append(total / max(stop, 1))
    return params, {"loss": losses}


def _altered(**change):
    return lambda ref: lambda *args, **kwargs: _variant(ref, *args, **kwargs, **change)


SGD_HINT_PARAMS = message("sgd_step.hint-params", "build new arrays, [(W - lr * dW, b - lr * db), "
                          "...], instead of W -= lr * dW")
SGD_HINT_GRADS = message("sgd_step.hint-grads", "compute lr * dW as a new array, never dW *= lr")
SGD_NOT_LIST = message("sgd_step.not-list", "sgd_step must return a list of {count} (W, b) tuples")
SGD_ENTRY = message("sgd_step.entry-not-tuple", "new_params[{i}] must be a tuple (W, b)")
SGD_NEW_W = message("sgd_step.new-w", "new W_{i}")
SGD_NEW_B = message("sgd_step.new-b", "new b_{i}")
TRAIN_DIFFERS = message("train.differs-from-expected",
                        "{when}: the trained parameters differ from the expected run (one generator "
                        "np.random.default_rng(seed), for init_params and then one "
                        "rng.permutation(N) per epoch, batches in that order, one SGD step per "
                        "batch)\n  {difference}")
TRAIN_PARAMS_DIFFER = message("train.params-differ", "the parameters differ")
TRAIN_AFTER_ONE = message("train.after-one-epoch", "after one full-batch epoch")
TRAIN_AFTER_EPOCHS = message("train.after-epochs", "after {epochs} epochs")
HISTORY_LENGTH = message("train.history-length",
                         "history['loss'] has {count} values; expected one per epoch ({epochs})")
HISTORY_NOT_MEAN = message("train.history-not-mean",
                           "history['loss'] is not the mean training loss per epoch (batch losses "
                           "weighted by batch size, divided by N)\n  your loss: {yours}\n  "
                           "expected:  {expected}")
NOT_FITTING = message("train.params-not-fitting", "{where}the returned params do not fit a network "
                      "of the requested layer sizes")


TRAIN = declare(
    Diagnosis("train.shuffled-apart", "X and y shuffled apart",
              "train answers exactly as a run that shuffles X but takes y in its original "
              "order, so examples lose their labels: draw one idx = rng.permutation(N) per epoch "
              "and take X[idx] and y[idx] together", _altered(shuffle_y=False), needs_ref=True),
    Diagnosis("train.no-shuffle", "no shuffling",
              "train answers exactly as a run that never shuffles: draw rng.permutation(N) at "
              "the start of every epoch", _altered(shuffle=False), needs_ref=True),
    Diagnosis("train.drop-last", "last batch dropped",
              "train answers exactly as a run that skips the last, smaller batch of each "
              "epoch (N = {n}, batch_size = {batch_size}): it must be trained on too",
              _altered(drop_last=True), needs_ref=True),
    Diagnosis("train.no-update", "no update",
              "the parameters did not change: train takes no SGD step"),
)


def _expect_params(ctx, args: tuple, result: tuple, what: str) -> None:
    expected = ctx.ref.train(*args)
    if same_params(result[0], ctx.ref.init_params(args[2], np.random.default_rng(args[6]))):
        raise Fail.of(TRAIN["no-update"])
    Trail(TRAIN.values(), ref=ctx.ref, part=lambda value: value[0], rtol=1e-9, atol=1e-12).diagnose(
        args, result, expected, n=len(args[0]), batch_size=args[5])
    if same_params(result[0], expected[0]):
        return
    raise Fail(TRAIN_DIFFERS(when=what, difference=_first_difference(result[0], expected[0])))


def _first_difference(got: list, expected: list) -> Text:
    for i, ((W, b), (eW, eb)) in enumerate(zip(got, expected), start=1):
        for name, g, e in ((f"W_{i}", W, eW), (f"b_{i}", b, eb)):
            if not close(g, e, 1e-9, 1e-12):
                if isinstance(g, np.ndarray) and g.shape == e.shape and g.dtype.kind in "fiub":
                    return what_differs(g, e, name, 1e-9, 1e-12)
                return WRONG_SHAPE(name=name, shape=np.shape(g), expected=e.shape)
    return TRAIN_PARAMS_DIFFER()


@check("train.one-step", function="train", points=3,
       description="one epoch with one full batch equals one reference SGD step")
def train_one_step(ctx) -> None:
    X, y, sizes, lr, _, _, seed = _loop_problem(ctx)
    subs = {n: getattr(ctx.ref, n) for n in TRAIN_DEPS}
    args = (X, y, sizes, lr, 1, len(X), seed)
    result = _student_train(ctx, args, subs, inputs_unchanged=True)
    _expect_params(ctx, args, result, TRAIN_AFTER_ONE())


@check("train.loop", function="train", points=4,
       description="epochs x shuffled mini-batches (last one smaller) and the loss history, exactly; "
                   "X and y unchanged")
def train_loop(ctx) -> None:
    X, y, sizes, lr, epochs, batch_size, seed = args = _loop_problem(ctx)
    subs = {n: getattr(ctx.ref, n) for n in TRAIN_DEPS}
    result = _student_train(ctx, args, subs, inputs_unchanged=True)
    _expect_params(ctx, args, result, TRAIN_AFTER_EPOCHS(epochs=epochs))
    exp_history = ctx.ref.train(*args)[1]
    losses = np.asarray(result[1]["loss"], dtype=float)
    expected = np.asarray(exp_history["loss"])
    if losses.shape != expected.shape:
        raise Fail(HISTORY_LENGTH(count=losses.size, epochs=epochs))
    if not close(losses, expected, 1e-9, 1e-12):
        raise Fail(HISTORY_NOT_MEAN(yours=np.array2string(losses, precision=6),
                                    expected=np.array2string(expected, precision=6)))


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
            raise Fail(NOT_FITTING(where=f"{name}: ")) from None
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
            raise Fail(NOT_FITTING(where="")) from None
    expect_loss_decreased(before, after, history["loss"], epochs, y_train)
    expect_own_functions(ctx, tuple(args), TRAIN_DEPS, TRAIN_TIMEOUT, **OWN_STEP)
