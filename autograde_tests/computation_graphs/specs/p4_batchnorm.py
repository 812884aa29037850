"""Part 3: batch normalization, forward (training and test mode) and backward.

The forward is compared with the reference in both modes: out and the new running statistics
(the cache is the student's own business). The backward gets the cache of the student's own
forward, the only cache it understands, so it is checked with it: a forward whose cache is wrong
costs the backward too, and the message says so. When the backward fails and the student's
forward gave the right out for its x (compared here with the reference's), it is gradient-checked
against that forward (probes.own_forward_note); with a wrong out, the message says to fix the
forward first (its derivative is not the one the backward formula is for).
"""

from __future__ import annotations

import numpy as np

from autograde_tests import inputs
from autograde_tests.compare import Fail, close, expect_array, expect_unchanged
from autograde_tests.diagnosis import Diagnosis, Trail, declare
from autograde_tests.engine import check
from autograde_tests.messages import message
from autograde_tests.probes import own_forward_note, with_note

#: (N, D) of the checks: a batch wider than deep, one deeper than wide, a pair of examples.
CASES = ((6, 3), (4, 5), (2, 4), (8, 2))
NAMES = ("x", "gamma", "beta", "running_mean", "running_var")
_RUNNING_HINT = message("batchnorm_forward.hint-running",
                        "return new running averages; leave the given ones as they are")()
HINTS = {"x": message("batchnorm_forward.hint-x",
                      "compute with new arrays (x - mean) / ..., never x -= ...")(),
         "gamma": message("batchnorm_forward.hint-gamma", "only read gamma")(),
         "beta": message("batchnorm_forward.hint-beta", "only read beta")(),
         "running_mean": _RUNNING_HINT, "running_var": _RUNNING_HINT}
NOT_FORWARD_TUPLE = message("batchnorm_forward.not-tuple", "batchnorm_forward returns a tuple "
                            "(out, cache, new_running_mean, new_running_var), got {kind}")
FORWARD_NAME = message("batchnorm_forward.name", "{name} (x of shape {shape}, train={train})")
NO_CACHE = message("batchnorm_backward.no-cache", "batchnorm_backward needs the cache of your "
                   "batchnorm_forward, which does not return (out, cache, new_running_mean, "
                   "new_running_var)")
BACKWARD_HINT = message("batchnorm_backward.hint", "compute with new arrays; never write into dout")
NOT_BACKWARD_TUPLE = message("batchnorm_backward.not-tuple",
                             "batchnorm_backward returns a tuple (dx, dgamma, dbeta), got {kind}")
BACKWARD_NAME = message("batchnorm_backward.name", "{name} (x of shape {shape})")
FORWARD_WRONG = message("batchnorm_backward.forward-wrong",
                        "`batchnorm_backward` was checked with the cache of your own "
                        "`batchnorm_forward`, whose out is wrong for this x: fix "
                        "`batchnorm_forward` first.")


def _test_mode(x, gamma, beta, running_mean, running_var, eps):
    out = gamma * (x - running_mean) / np.sqrt(running_var + eps) + beta
    return out, None, running_mean.copy(), running_var.copy()


def _swapped(x, gamma, beta, running_mean, running_var, train, momentum=0.9, eps=1e-5):
    if not train:
        return _test_mode(x, gamma, beta, running_mean, running_var, eps)
    mean, var = x.mean(axis=0), x.var(axis=0)
    out = gamma * (x - mean) / np.sqrt(var + eps) + beta
    return (out, None, (1 - momentum) * running_mean + momentum * mean,
            (1 - momentum) * running_var + momentum * var)


def _unbiased(x, gamma, beta, running_mean, running_var, train, momentum=0.9, eps=1e-5):
    if not train:
        return _test_mode(x, gamma, beta, running_mean, running_var, eps)
    mean, var = x.mean(axis=0), x.var(axis=0, ddof=1)
    out = gamma * (x - mean) / np.sqrt(var + eps) + beta
    return out, None, momentum * running_mean + (1 - momentum) * mean, \
        momentum * running_var + (1 - momentum) * var


def _batch_at_test(x, gamma, beta, running_mean, running_var, train, momentum=0.9, eps=1e-5):
    mean, var = x.mean(axis=0), x.var(axis=0)
    out = gamma * (x - mean) / np.sqrt(var + eps) + beta
    if train:
        return out, None, momentum * running_mean + (1 - momentum) * mean, \
            momentum * running_var + (1 - momentum) * var
    return out, None, running_mean.copy(), running_var.copy()


BATCHNORM = declare(
    Diagnosis("batchnorm_forward.unbiased-var", "unbiased variance",
              "out equals a normalization with the unbiased variance (ddof=1): batch norm uses "
              "the batch's biased variance x.var(axis=0)", _unbiased),
    Diagnosis("batchnorm_forward.momentum-swapped", "momentum weights swapped",
              "the running averages equal (1 - momentum) * running + momentum * batch: keep "
              "momentum of the old average, new = momentum * running + (1 - momentum) * batch",
              _swapped),
)
BATCHNORM_TEST = declare(
    Diagnosis("batchnorm_forward.batch-stats-at-test", "batch statistics at test time",
              "in test mode (train=False) out was normalized with the batch's own mean and "
              "variance: use running_mean and running_var", _batch_at_test),
)


def _without_cache(answer):
    """(out, new_running_mean, new_running_var) of a forward's answer, for the comparisons."""
    return (answer[0], answer[2], answer[3])


def _inputs(ctx, n: int, d: int) -> tuple:
    x = inputs.normal(ctx.rng, n, d, scale=ctx.rng.uniform(0.5, 3.0)) + ctx.rng.normal(size=d)
    return (x, ctx.rng.uniform(0.5, 2.0, size=d), inputs.normal(ctx.rng, d),
            inputs.normal(ctx.rng, d), ctx.rng.uniform(0.5, 2.0, size=d))


def _forward(ctx, args: tuple, *extra):
    answer = ctx.student.call("batchnorm_forward", (*args, *extra), return_args=True)
    expect_unchanged(args, answer.args_after[:5], NAMES, hint=HINTS, function="batchnorm_forward")
    value = answer.value
    if not isinstance(value, tuple | list) or len(value) != 4:
        raise Fail(NOT_FORWARD_TUPLE(kind=answer.type_name))
    return value


def _expect(got, expected, shape: tuple, train: bool) -> None:
    for name, g, e in zip(("out", "new_running_mean", "new_running_var"), _without_cache(got),
                          _without_cache(expected)):
        expect_array(g, e, FORWARD_NAME(name=name, shape=shape, train=str(train)))


@check("batchnorm_forward.train", function="batchnorm_forward", points=5,
       description="training mode: batch mean and biased variance, gamma x_hat + beta, running "
                   "averages with the given and the default momentum and eps; inputs unchanged")
def batchnorm_forward_train(ctx) -> None:
    trail = Trail(BATCHNORM.values(), part=_without_cache)
    for i, (n, d) in enumerate(CASES):
        args = _inputs(ctx, n, d)
        extra = (True,) if i % 2 == 0 else (True, float(ctx.rng.uniform(0.5, 0.8)),
                                             float(ctx.rng.choice([1e-3, 1e-2])))
        got = _forward(ctx, args, *extra)
        expected = ctx.ref.batchnorm_forward(*args, *extra)
        trail.diagnose((*args, *extra), got, expected)
        _expect(got, expected, (n, d), True)


@check("batchnorm_forward.test", function="batchnorm_forward", points=3,
       description="test mode (train=False): normalized with the running statistics, which come "
                   "back unchanged; inputs unchanged")
def batchnorm_forward_test(ctx) -> None:
    trail = Trail(BATCHNORM_TEST.values(), part=_without_cache)
    for n, d in CASES:
        args = _inputs(ctx, n, d)
        got = _forward(ctx, args, False)
        expected = ctx.ref.batchnorm_forward(*args, False)
        trail.diagnose((*args, False), got, expected)
        _expect(got, expected, (n, d), False)


#: Confirmed on the reference's cache (x_hat, gamma, std) of the same inputs: the student's cache
#: is theirs, so the formula reads the one it knows (a wrong forward confirms nothing).
BATCHNORM_BACKWARD = declare(
    Diagnosis("batchnorm_backward.no-mean-terms", "batch mean and variance taken as constants",
              "dx equals gamma * dout / sqrt(var + eps), as if the batch mean and variance did not "
              "depend on x: add the terms through them, dx = gamma / (N std) * (N dout - "
              "sum(dout) - x_hat * sum(dout * x_hat))",
              lambda dout, cache: (dout * cache[1] / cache[2], (dout * cache[0]).sum(axis=0),
                                   dout.sum(axis=0)), local=False),
)


@check("batchnorm_backward.values", function="batchnorm_backward", points=7,
       description="(dx, dgamma, dbeta) from the cache of your own training-mode forward, dx "
                   "through the batch mean and variance; dout unchanged; gradient-checked")
def batchnorm_backward_values(ctx) -> None:
    trail = Trail(BATCHNORM_BACKWARD.values())
    for n, d in CASES[:3]:
        x, gamma, beta, rm, rv = _inputs(ctx, n, d)
        dout = inputs.normal(ctx.rng, n, d)
        forward = ctx.student.call("batchnorm_forward", (x, gamma, beta, rm, rv, True)).value
        if not isinstance(forward, tuple | list) or len(forward) != 4:
            raise Fail(NO_CACHE())
        answer = ctx.student.call("batchnorm_backward", (dout, forward[1]), return_args=True)
        expect_unchanged((dout,), answer.args_after[:1], ("dout",), function="batchnorm_backward",
                         hint=BACKWARD_HINT())
        got = answer.value
        if not isinstance(got, tuple | list) or len(got) != 3:
            raise Fail(NOT_BACKWARD_TUPLE(kind=answer.type_name))
        ref_out, ref_cache = ctx.ref.batchnorm_forward(x, gamma, beta, rm, rv, True)[:2]
        expected = ctx.ref.batchnorm_backward(dout, ref_cache)
        trail.diagnose((dout, ref_cache), got, expected)
        try:
            for name, g, e in zip(("dx", "dgamma", "dbeta"), got, expected):
                expect_array(g, e, BACKWARD_NAME(name=name, shape=(n, d)))
        except Fail as fail:
            forward_right = close(forward[0], ref_out)
            raise with_note(fail, _note(ctx, got[0], dout, x, gamma, beta, rm, rv)
                            if forward_right else FORWARD_WRONG()) from None


def _note(ctx, dx, dout, x, gamma, beta, rm, rv) -> str:
    """The gradient check of dx against the student's own forward: only asked when that
    forward's out is right here (judged above, in the grader, against the reference's): the
    numerical gradient of a wrong forward says nothing about the backward formula (eps outside
    the sqrt changes the forward's derivative by ~1e-6 and the textbook backward is 'wrong')."""
    def f(v):
        out = ctx.student.call("batchnorm_forward", (v, gamma, beta, rm, rv, True)).value
        return float(np.sum(np.asarray(out[0], dtype=float) * dout))
    return own_forward_note(ctx, dx, f, x, "dx", "batchnorm_forward")
