"""Part 5: the training loop that takes an optimizer.

As in the first assignment, `train` is checked with every other function replaced by the
reference (the loop alone must reproduce the reference run exactly: seeding, shuffling, batching,
the optimizer's state, dropout masks drawn from the run's generator, L2 in the loss and the
gradients, the history), and fully student-made on fresh draws of the datasets, where the grader
measures the test accuracy with the reference `predict` against calibrated thresholds, counting a
network only when `train`'s first step on the same data is one step of the student's own
functions (probes.expect_own_functions).
"""

from __future__ import annotations

import numpy as np

from autograde_tests import calibration, inputs
from autograde_tests.compare import WRONG_SHAPE, Fail, close, what_differs
from autograde_tests.diagnosis import Diagnosis, Trail, declare, same
from autograde_tests.engine import check, time_limit
from autograde_tests.messages import message
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
from autograde_tests.training_networks.training import CASES, dataset, train_args

TRAIN_DIFFERS = message("train.differs-from-expected",
                        "{when}: the trained parameters differ from the expected run (one generator "
                        "np.random.default_rng(seed), for init_params, the permutations and the "
                        "dropout masks; state = init_state(optimizer, params); one optimizer_step "
                        "per batch)\n  {difference}")
WITH_ONE_EPOCH = message("train.with-one-epoch", "with {optimizer}, one full-batch epoch")
WITH_OPTIMIZER = message("train.with-optimizer", "with {optimizer}")
HISTORY_LENGTH = message("train.history-length",
                         "history['loss'] has {count} values; expected one per epoch ({epochs})")
HISTORY_NOT_MEAN = message("train.history-not-mean",
                           "{when}: history['loss'] is not the mean training loss per epoch (batch "
                           "losses including the L2 penalty, weighted by batch size, divided by "
                           "N)\n  your loss: {yours}\n  expected:  {expected}")

#: Replaced by the reference when the loop alone is under test: every graded function and every
#: given one that `train` reaches (a student's own copy of a given function changes nothing).
TRAIN_DEPS = ("init_params", "l2_penalty", "l2_gradient", "momentum_step", "adam_step",
              "dropout_forward", "dropout_backward", "tanh_forward", "tanh_backward",
              "leaky_relu_forward", "leaky_relu_backward", "elu_forward", "elu_backward",
              "forward", "backward", "init_state", "optimizer_step", "sgd_step",
              "softmax_cross_entropy", "softmax_cross_entropy_backward", "activation_forward",
              "activation_backward", "linear_forward", "linear_backward", "relu_forward",
              "relu_backward", "sigmoid", "sigmoid_backward", "softmax", "zeros_like_params")
#: The optimizers of the one-step check.
OPTIMIZERS = ({"name": "sgd", "lr": 0.1}, {"name": "momentum", "lr": 0.05, "beta": 0.8},
              {"name": "adam", "lr": 0.01})
#: Small problem of the exact loop check: N is not a multiple of the batch size on purpose.
LOOP_PROBLEM = {"n": 23, "sizes": [2, 6, 5, 3], "epochs": 3, "batch_size": 5, "keep_prob": 0.7,
                "lam": 0.01, "activation": "tanh", "init": "lecun"}
#: How many of the calibrated cases the accuracy check trains per grading run (chosen by the run
#: seed, the same for every student of a run).
ACCURACY_CASES_PER_RUN = 2
#: Case and epochs of the loss-decreases check.
LOSS_CHECK = {"case": "moons-adam", "epochs": 3}
#: How the loop steps, for the tie of the student-made checks to the student's own functions
#: (probes.expect_own_functions): the step function, the student's own in the replay, and the
#: position of keep_prob in train's arguments (the tie runs without dropout).
OWN_STEP = {"update": "optimizer_step", "keep_prob_at": 9}
#: CPU seconds allowed for one student training run (the reference needs about 1 s).
TRAIN_TIMEOUT = time_limit("train", 30.0)


def _student_train(ctx, args: tuple, substitute: dict | None = None, **options):
    return student_train(ctx, args, TRAIN_TIMEOUT, substitute, **options)


def _subs(ctx) -> dict:
    return {name: getattr(ctx.ref, name) for name in TRAIN_DEPS if hasattr(ctx.ref, name)}


def _variant(ref, X, y, layer_sizes, optimizer, epochs, batch_size, seed, init="he",
             activation="relu", keep_prob=1.0, lam=0.0, *, shuffle=True, l2_in_grads=True,
             l2_in_loss=True, dropout_rng=True, carry_state=True, optimizer_used=True,
             init_used=True, activation_used=True, loss_after_epoch=False):
    """A deliberately altered training loop (the alternatives of the diagnoses below), built from
    reference functions. Returns (params, history) as train does."""
    rng = np.random.default_rng(seed)
    params = ref.init_params(layer_sizes, rng, init if init_used else "standard")
    opt = optimizer if optimizer_used else {"name": "sgd", "lr": optimizer["lr"]}
    act = activation if activation_used else "relu"
    state = ref.init_state(opt, params)
    losses = []
    for _ in range(epochs):
        order = rng.permutation(len(X)) if shuffle else np.arange(len(X))
        total = 0.0
        for start in range(0, len(X), batch_size):
            batch = order[start:start + batch_size]
            logits, cache = ref.forward(params, X[batch], act, keep_prob, rng if dropout_rng else None)
            loss = ref.softmax_cross_entropy(logits, y[batch])
            total += (loss + (ref.l2_penalty(params, lam) if l2_in_loss else 0.0)) * len(batch)
            grads = ref.backward(params, cache, ref.softmax_cross_entropy_backward(logits, y[batch]), act)
            if l2_in_grads:
                grads = [(dW + gW, db + gb) for (dW, db), (gW, gb) in zip(grads, ref.l2_gradient(params, lam))]
            if not carry_state:
                state = ref.init_state(opt, params)
            params, state = ref.optimizer_step(opt, params, grads, state)
        if loss_after_epoch:
            total = (ref.softmax_cross_entropy(ref.forward(params, X, act)[0], y)
                     + ref.l2_penalty(params, lam)) * len(X)
        losses.append(total / len(X))
    return params, {"loss": losses}


def _altered(**change):
    """The factory of an alternative train: the reference loop with one part changed."""
    return lambda ref: lambda *args, **kwargs: _variant(ref, *args, **kwargs, **change)


#: What the loop checks recognise, each confirmed by its altered loop on the same arguments.
TRAIN = declare(
    Diagnosis("train.optimizer-ignored", "optimizer ignored",
              "the trained parameters equal plain SGD steps with the optimizer's lr: get the state "
              "with init_state(optimizer, params) and step with optimizer_step(optimizer, params, "
              "grads, state)", _altered(optimizer_used=False), needs_ref=True),
    Diagnosis("train.state-not-carried", "optimizer state not carried",
              "the trained parameters equal a run whose optimizer state starts afresh at every "
              "step: keep the state that optimizer_step returns and pass it to the next step",
              _altered(carry_state=False), needs_ref=True),
    Diagnosis("train.init-ignored", "init scheme ignored",
              "the trained parameters equal a run that initializes with init_params's default "
              "scheme, 'standard': pass `init` to init_params", _altered(init_used=False), needs_ref=True),
    Diagnosis("train.activation-ignored", "activation ignored",
              "the trained parameters equal a run with ReLU: pass `activation` to forward and "
              "backward", _altered(activation_used=False), needs_ref=True),
    Diagnosis("train.dropout-off", "dropout off while training",
              "the trained parameters equal a run without dropout: pass keep_prob and the run's "
              "generator rng to forward (the dropout masks are drawn from it)",
              _altered(dropout_rng=False), needs_ref=True),
    Diagnosis("train.no-l2-gradient", "L2 missing from the gradients",
              "the trained parameters equal a run without the L2 gradient: add "
              "l2_gradient(params, lam) to the gradients of every layer before the optimizer step",
              _altered(l2_in_grads=False), needs_ref=True),
    Diagnosis("train.no-shuffle", "no shuffling",
              "the trained parameters equal a run that never shuffles: draw rng.permutation(N) at "
              "the start of every epoch", _altered(shuffle=False), needs_ref=True),
    Diagnosis("train.no-l2-in-loss", "L2 missing from the loss",
              "history['loss'] leaves out the L2 penalty: record the data loss plus "
              "l2_penalty(params, lam)", _altered(l2_in_loss=False), needs_ref=True),
    Diagnosis("train.loss-after-epoch", "loss of all of X after the epoch",
              "history['loss'] holds the loss on all of X after each epoch; it is the mean of the "
              "batch losses, each taken before its batch's step and weighted by the batch size",
              _altered(loss_after_epoch=True), needs_ref=True),
    Diagnosis("train.no-update", "no update",
              "with {optimizer} the parameters did not change: train takes no step"),
)


def _trails(ctx) -> tuple[Trail, Trail]:
    """The evidence of a loop check: the trained parameters, and the loss histories."""
    return tuple(Trail(TRAIN.values(), ref=ctx.ref, part=part, rtol=1e-9, atol=1e-12)
                 for part in (_params_of, _history_of))


def _params_of(result):
    return result[0]


def _history_of(result):
    return result[1]["loss"]


def _loop_args(ctx, optimizer: dict) -> tuple:
    p = LOOP_PROBLEM
    X = inputs.normal(ctx.rng, p["n"], p["sizes"][0])
    y = inputs.labels(ctx.rng, p["n"], p["sizes"][-1])
    return (X, y, p["sizes"], optimizer, p["epochs"], p["batch_size"], int(ctx.rng.integers(2**31)),
            p["init"], p["activation"], p["keep_prob"], p["lam"])


def _expect_run(ctx, trails: tuple[Trail, Trail], args: tuple, result: tuple, where: str,
                history: bool = True) -> None:
    """The student's params (and history, unless told not to) must be the reference run's;
    otherwise a declared alternative loop that gives the same names the cause, or the message
    says what differs."""
    expected = ctx.ref.train(*args)
    start = ctx.ref.init_params(args[2], np.random.default_rng(args[6]), args[7])
    if same_params(result[0], start):
        raise Fail.of(TRAIN["no-update"], optimizer=args[3]["name"])
    trails[0].diagnose(args, result, expected)
    if not same_params(result[0], expected[0]):
        first = next(i for i, (g, e) in enumerate(zip(result[0], expected[0]))
                     if not (same(g[0], e[0], 1e-9, 1e-12) and same(g[1], e[1], 1e-9, 1e-12)))
        g, e = result[0][first], expected[0][first]
        name = "W" if not same(g[0], e[0], 1e-9, 1e-12) else "b"
        got_a, exp_a = g[0] if name == "W" else g[1], e[0] if name == "W" else e[1]
        detail = (what_differs(got_a, exp_a, f"{name}_{first + 1}", 1e-9, 1e-12)
                  if isinstance(got_a, np.ndarray) and got_a.shape == exp_a.shape else
                  WRONG_SHAPE(name=f"{name}_{first + 1}", shape=np.shape(got_a),
                              expected=exp_a.shape))
        raise Fail(TRAIN_DIFFERS(when=where, difference=detail))
    if not history:
        return
    losses = np.asarray(result[1]["loss"], dtype=float)
    expected_losses = np.asarray(expected[1]["loss"])
    if losses.shape != expected_losses.shape:
        raise Fail(HISTORY_LENGTH(count=losses.size, epochs=args[4]))
    trails[1].diagnose(args, result, expected)
    if not close(losses, expected_losses, 1e-9, 1e-12):
        raise Fail(HISTORY_NOT_MEAN(when=where, yours=np.array2string(losses, precision=6),
                                    expected=np.array2string(expected_losses, precision=6)))


@check("train.one-step", function="train", points=5,
       description="one epoch with one full batch equals one step of each optimizer (sgd, "
                   "momentum, adam) from init_params(layer_sizes, rng, init)")
def train_one_step(ctx) -> None:
    sizes = [2, 5, 3]
    n = 12
    trails = _trails(ctx)
    for optimizer in OPTIMIZERS:
        X, y = inputs.normal(ctx.rng, n, sizes[0]), inputs.labels(ctx.rng, n, sizes[-1])
        seed = int(ctx.rng.integers(2**31))
        args = (X, y, sizes, dict(optimizer), 1, n, seed, "he", "relu", 1.0, 0.0)
        result = _student_train(ctx, args, _subs(ctx), inputs_unchanged=True)
        _expect_run(ctx, trails, args, result, WITH_ONE_EPOCH(optimizer=optimizer),
                    history=False)


@check("train.loop", function="train", points=6,
       description="epochs x shuffled mini-batches with dropout, L2, tanh and a stateful optimizer, "
                   "and the loss history (data loss + L2 penalty), exactly; X and y unchanged")
def train_loop(ctx) -> None:
    # Adam first: a momentum state started afresh every step is a plain SGD step, so only Adam
    # tells "the state is not carried" from "the optimizer is ignored".
    trails = _trails(ctx)
    for optimizer in (OPTIMIZERS[2], OPTIMIZERS[1]):
        args = _loop_args(ctx, dict(optimizer))
        result = _student_train(ctx, args, _subs(ctx), inputs_unchanged=True)
        _expect_run(ctx, trails, args, result, WITH_OPTIMIZER(optimizer=optimizer['name']))


def _cases_for_run(ctx) -> list[str]:
    return drawn_for_run(ctx.seed, CASES, ACCURACY_CASES_PER_RUN)


@check("train.accuracy", function="train", points=8,
       description="fully student-made training reaches the calibrated test accuracy")
def train_accuracy(ctx) -> None:
    for case in _cases_for_run(ctx):
        draw = int(ctx.rng.integers(2**31))
        X_train, y_train, X_test, y_test = calibration.normalized(dataset(ctx.ref, case), draw)
        seed = int(ctx.rng.integers(2**31))
        args = train_args(ctx.ref, case, X_train, y_train, seed)
        params, _ = _student_train(ctx, args)
        expect_fits(params, args[2], f"{case}: ")
        with np.errstate(all="ignore"):
            acc = ctx.ref.accuracy(ctx.ref.predict(params, X_test, args[8]), y_test)
        expect_accuracy(acc, calibration.threshold(ctx.ref.assignment, case), case, seed)
        expect_own_functions(ctx, args, TRAIN_DEPS, TRAIN_TIMEOUT, **OWN_STEP, where=f"{case}: ")


@check("train.loss-decreases", function="train", points=3,
       description="the loss of the returned parameters is below the loss at initialization and "
                   "below predicting the class frequencies (on a turned draw)")
def train_loss_decreases(ctx) -> None:
    case, epochs = LOSS_CHECK["case"], LOSS_CHECK["epochs"]
    X_train, y_train, _, _ = calibration.normalized(dataset(ctx.ref, case), int(ctx.rng.integers(2**31)))
    seed = int(ctx.rng.integers(2**31))
    X_train = turned(X_train, ctx.rng)
    args = list(train_args(ctx.ref, case, X_train, y_train, seed))
    args[4] = epochs
    params, history = _student_train(ctx, tuple(args))
    sizes, init, activation = args[2], args[7], args[8]
    expect_fits(params, sizes)
    start = ctx.ref.init_params(sizes, np.random.default_rng(seed), init)
    with np.errstate(all="ignore"):
        before = ctx.ref.softmax_cross_entropy(ctx.ref.forward(start, X_train, activation)[0], y_train)
        after = ctx.ref.softmax_cross_entropy(ctx.ref.forward(params, X_train, activation)[0], y_train)
    expect_loss_decreased(before, after, history["loss"], epochs, y_train)
    expect_own_functions(ctx, tuple(args), TRAIN_DEPS, TRAIN_TIMEOUT, **OWN_STEP)
