"""Part 4: the optimizers of the research task (Nesterov, AdaGrad, RMSprop), gradient clipping by
the global norm, and the L1 penalty with its subgradient.

As for the second assignment's optimizers, one check per function: steps from a zero state and
from a state late in training, and steps chained by feeding each the state the student's previous
step returned, the new state compared as well as the parameters. Inputs keep the declared
alternatives apart (non-zero states, rho and beta away from 0 and 1, a global norm above max_norm
where one array alone is not).
"""

from __future__ import annotations

import numpy as np

from autograde_tests import inputs
from autograde_tests.compare import Fail, expect_array, expect_float, expect_unchanged
from autograde_tests.diagnosis import Diagnosis, Trail, declare
from autograde_tests.engine import check
from autograde_tests.messages import message

#: Steps chained by the optimizer checks.
CHAIN = 3
HINT = {"params": message("optimizers.hint-params", "build new arrays, never W -= ...")(),
        "grads": message("optimizers.hint-grads", "only read the gradients")(),
        "state": message("optimizers.hint-state",
                         "return a new state with new arrays; leave the given one as it is")(),
        "velocity": message("optimizers.hint-velocity", "return a new velocity with new arrays; "
                            "leave the given one as it is")()}
NOT_PAIRS = message("optimizers.not-pairs", "{name} must be a list of {n} (W, b)-shaped tuples")
NOT_STEP_TUPLE = message("optimizers.not-tuple",
                         "{function} returns a tuple (new_params, new_{state_name}), got {kind}")
NOT_STATE = message("optimizers.state-not-dict", "new_state must be a dict {{'{key}': [...]}}")
CLIP_HINT = message("clip_by_global_norm.hint", "return new arrays g * scale; never g *= ...")
CLIP_NOT_TUPLE = message("clip_by_global_norm.not-tuple",
                         "clip_by_global_norm returns (clipped, norm), got {kind}")
L1_PENALTY_HINT = message("l1_penalty.hint", "only read the parameters")
L1_GRADIENT_HINT = message("l1_gradient.hint", "build new arrays lam * np.sign(W)")


def _network(ctx, index: int):
    return inputs.params_for(ctx.ref, inputs.NETWORKS[index % len(inputs.NETWORKS)], ctx.rng)


def _like(ctx, params, scale: float = 1.0, positive: bool = False):
    def draw(shape):
        a = inputs.normal(ctx.rng, *shape, scale=scale)
        return np.abs(a) + 0.05 if positive else a
    return [(draw(W.shape), draw(b.shape)) for W, b in params]


def _zeros(params):
    return [(np.zeros_like(W), np.zeros_like(b)) for W, b in params]


def _pairs(value, n: int, name: str) -> list:
    if not isinstance(value, list | tuple) or len(value) != n or not all(
            isinstance(p, list | tuple) and len(p) == 2 for p in value):
        raise Fail(NOT_PAIRS(name=name, n=n))
    return list(value)


def _expect_pairs(got, expected, name: str) -> None:
    for i, (g, e) in enumerate(zip(_pairs(got, len(expected), name), expected), start=1):
        expect_array(g[0], e[0], f"{name}: W_{i}")
        expect_array(g[1], e[1], f"{name}: b_{i}")


def _per_array(rule, state_key: str | None):
    """A step function from a rule on one array, rule(p, g, s, lr, hyper) -> (p_new, s_new)."""
    def step(params, grads, state, lr, hyper=None):
        pairs = state[state_key] if state_key else state
        new_params, new_state = [], []
        for layer, grad, s_layer in zip(params, grads, pairs):
            out = [rule(p, g, s, lr, hyper) for p, g, s in zip(layer, grad, s_layer)]
            new_params.append(tuple(o[0] for o in out))
            new_state.append(tuple(o[1] for o in out))
        return new_params, ({state_key: new_state} if state_key else new_state)
    return step


def _with_default(step, default):
    def call(params, grads, state, lr, hyper=default, eps=1e-8):
        return step(params, grads, state, lr, hyper)
    return call


NESTEROV = declare(
    Diagnosis("nesterov_step.plain-momentum", "plain momentum instead of Nesterov",
              "the step equals plain momentum, p + v_new: Nesterov looks ahead, "
              "p_new = p + beta * v_new - lr * g",
              _with_default(_per_array(lambda p, g, v, lr, beta: (p + beta * v - lr * g, beta * v - lr * g),
                                       None), 0.9)),
)
ADAGRAD = declare(
    Diagnosis("adagrad_step.no-sum", "squared gradients not summed",
              "G_new equals g ** 2 alone: AdaGrad sums every squared gradient so far, "
              "G_new = G + g ** 2",
              lambda params, grads, state, lr, eps=1e-8: _per_array(
                  lambda p, g, G, lr, _: (p - lr * g / (np.sqrt(g ** 2) + eps), g ** 2), "G")(
                  params, grads, state, lr)),
)
RMSPROP = declare(
    Diagnosis("rmsprop_step.no-one-minus-rho", "1 - rho missing",
              "s_new equals rho * s + g ** 2: the running average weighs the new square by "
              "1 - rho, s_new = rho * s + (1 - rho) * g ** 2",
              lambda params, grads, state, lr, rho=0.9, eps=1e-8: _per_array(
                  lambda p, g, s, lr, rho: (p - lr * g / (np.sqrt(rho * s + g ** 2) + eps),
                                            rho * s + g ** 2), "s")(params, grads, state, lr, rho)),
    Diagnosis("rmsprop_step.rho-swapped", "rho and 1 - rho swapped",
              "s_new equals (1 - rho) * s + rho * g ** 2: the old average keeps the weight rho, "
              "s_new = rho * s + (1 - rho) * g ** 2",
              lambda params, grads, state, lr, rho=0.9, eps=1e-8: _per_array(
                  lambda p, g, s, lr, rho: (
                      p - lr * g / (np.sqrt((1 - rho) * s + rho * g ** 2) + eps),
                      (1 - rho) * s + rho * g ** 2), "s")(params, grads, state, lr, rho),
              local=False),
)


def _step(ctx, fn: str, params, grads, state, lr, *extra, state_name: str = "state"):
    answer = ctx.student.call(fn, (params, grads, state, lr, *extra), return_args=True)
    expect_unchanged((params, grads, state), answer.args_after[:3], ("params", "grads", state_name),
                     hint=HINT, function=fn)
    value = answer.value
    if not isinstance(value, tuple | list) or len(value) != 2:
        raise Fail(NOT_STEP_TUPLE(function=fn, state_name=state_name, kind=answer.type_name))
    return value


@check("nesterov_step.values", function="nesterov_step", points=5,
       description="v_new = beta v - lr g, p_new = p + beta v_new - lr g from a zero and a "
                   "non-zero velocity, 3 chained steps, the default beta 0.9; inputs unchanged")
def nesterov_step_values(ctx) -> None:
    trail = Trail(NESTEROV.values())
    for i in range(2):
        params = _network(ctx, i)
        velocity = _zeros(params) if i == 0 else _like(ctx, params, 0.1)
        lr, beta = float(ctx.rng.uniform(0.01, 0.3)), float(ctx.rng.uniform(0.5, 0.95))
        extra = (beta,) if i == 1 else ()
        for _ in range(CHAIN):
            grads = _like(ctx, params)
            got = _step(ctx, "nesterov_step", params, grads, velocity, lr, *extra,
                        state_name="velocity")
            expected = ctx.ref.nesterov_step(params, grads, velocity, lr, *extra)
            trail.diagnose((params, grads, velocity, lr, *extra), got, expected)
            _expect_pairs(got[0], expected[0], "new_params")
            _expect_pairs(got[1], expected[1], "new_velocity")
            params, velocity = expected


def _state_step(ctx, fn: str, key: str, trail: Trail, hyper: str | None) -> None:
    for i in range(2):
        params = _network(ctx, i + 1)
        pairs = _zeros(params) if i == 0 else _like(ctx, params, 0.5, positive=True)
        state = {key: pairs}
        lr = float(ctx.rng.uniform(0.01, 0.3))
        extra = ()
        if hyper is not None and i == 1:
            extra = (float(ctx.rng.uniform(0.5, 0.95)), float(ctx.rng.choice([1e-8, 1e-4])))
        for _ in range(CHAIN):
            grads = _like(ctx, params)
            got = _step(ctx, fn, params, grads, state, lr, *extra)
            expected = getattr(ctx.ref, fn)(params, grads, state, lr, *extra)
            trail.diagnose((params, grads, state, lr, *extra), got, expected)
            _expect_pairs(got[0], expected[0], "new_params")
            if not isinstance(got[1], dict) or key not in got[1]:
                raise Fail(NOT_STATE(key=key))
            _expect_pairs(got[1][key], expected[1][key], f"new_state['{key}']")
            params, state = expected


@check("adagrad_step.values", function="adagrad_step", points=5,
       description="G_new = G + g^2, p - lr g / (sqrt(G_new) + eps) from a zero and a non-zero "
                   "state, 3 chained steps, eps given and the default; inputs unchanged")
def adagrad_step_values(ctx) -> None:
    trail = Trail(ADAGRAD.values())
    for i in range(2):
        params = _network(ctx, i + 1)
        state = {"G": _zeros(params) if i == 0 else _like(ctx, params, 0.5, positive=True)}
        lr = float(ctx.rng.uniform(0.01, 0.3))
        extra = () if i == 0 else (float(ctx.rng.choice([1e-4, 1e-3])),)
        for _ in range(CHAIN):
            grads = _like(ctx, params)
            got = _step(ctx, "adagrad_step", params, grads, state, lr, *extra)
            expected = ctx.ref.adagrad_step(params, grads, state, lr, *extra)
            trail.diagnose((params, grads, state, lr, *extra), got, expected)
            _expect_pairs(got[0], expected[0], "new_params")
            if not isinstance(got[1], dict) or "G" not in got[1]:
                raise Fail(NOT_STATE(key="G"))
            _expect_pairs(got[1]["G"], expected[1]["G"], "new_state['G']")
            params, state = expected


@check("rmsprop_step.values", function="rmsprop_step", points=5,
       description="s_new = rho s + (1 - rho) g^2, p - lr g / (sqrt(s_new) + eps) from a zero and "
                   "a non-zero state, 3 chained steps, rho and eps given and the defaults; inputs "
                   "unchanged")
def rmsprop_step_values(ctx) -> None:
    _state_step(ctx, "rmsprop_step", "s", Trail(RMSPROP.values()), "rho")


# ---------------------------------------------------------------- clipping
def _clip_per_array(grads, max_norm):
    def clip(g):
        n = float(np.sqrt(np.sum(g ** 2)))
        return g * (max_norm / n) if n > max_norm else g
    norm = float(np.sqrt(sum(np.sum(g ** 2) for layer in grads for g in layer)))
    return [tuple(clip(g) for g in layer) for layer in grads], norm


CLIP = declare(
    Diagnosis("clip_by_global_norm.per-array", "each array clipped on its own",
              "every array was clipped to max_norm on its own: the global norm is one number over "
              "every array together, and all arrays are scaled by the same max_norm / norm",
              _clip_per_array),
)


@check("clip_by_global_norm.values", function="clip_by_global_norm", points=4,
       description="the global norm of every array as a float, every array scaled by max_norm / "
                   "norm when above, unchanged values below; grads unchanged")
def clip_by_global_norm_values(ctx) -> None:
    trail = Trail(CLIP.values())
    for i in range(4):
        params = _network(ctx, i)
        grads = _like(ctx, params, float(ctx.rng.uniform(0.5, 3.0)))
        norm = float(np.sqrt(sum(np.sum(g ** 2) for layer in grads for g in layer)))
        # above the norm (nothing scaled), then below it but above every single array's norm
        largest = max(float(np.sqrt(np.sum(g ** 2))) for layer in grads for g in layer)
        max_norm = norm * 1.5 if i == 0 else float(ctx.rng.uniform(largest * 0.3, largest * 0.9))
        answer = ctx.student.call("clip_by_global_norm", (grads, max_norm), return_args=True)
        expect_unchanged((grads,), answer.args_after[:1], ("grads",), function="clip_by_global_norm",
                         hint=CLIP_HINT())
        got = answer.value
        if not isinstance(got, tuple | list) or len(got) != 2:
            raise Fail(CLIP_NOT_TUPLE(kind=answer.type_name))
        expected = ctx.ref.clip_by_global_norm(grads, max_norm)
        trail.diagnose((grads, max_norm), got, expected)
        expect_float(got[1], expected[1], "norm")
        _expect_pairs(got[0], expected[0], f"clipped (max_norm {max_norm:.3g}, norm {norm:.3g})")


# ---------------------------------------------------------------- L1
L1_PENALTY = declare(
    Diagnosis("l1_penalty.biases", "L1 applied to biases",
              "the penalty includes |b|: L1, like L2 in Assignment 2, penalizes the weights only",
              lambda params, lam: float(lam * sum(np.abs(W).sum() + np.abs(b).sum() for W, b in params))),
)
L1_GRADIENT = declare(
    Diagnosis("l1_gradient.biases", "L1 applied to biases",
              "db is lam * sign(b): the penalty has no biases, so db is zeros",
              lambda params, lam: [(lam * np.sign(W), lam * np.sign(b)) for W, b in params]),
    Diagnosis("l1_gradient.nonzero-at-zero", "slope +-lam at W == 0",
              "dW is +lam or -lam where W == 0 exactly: the subgradient the lecture picks at 0 is "
              "0, dW = lam * np.sign(W)",
              (lambda params, lam: [(np.where(W >= 0, lam, -lam), np.zeros_like(b)) for W, b in params],
               lambda params, lam: [(np.where(W > 0, lam, -lam), np.zeros_like(b)) for W, b in params]),
              local=False),
)


def _l1_inputs(ctx, i: int):
    params = _network(ctx, i)
    params = [(np.where(ctx.rng.random(W.shape) < 0.2, 0.0, W), b) for W, b in params]
    return params, float(ctx.rng.uniform(0.01, 1.0))


@check("l1_penalty.values", function="l1_penalty", points=3,
       description="lam times the sum of |W| over every layer (never biases), as a float; params "
                   "unchanged")
def l1_penalty_values(ctx) -> None:
    trail = Trail(L1_PENALTY.values())
    for i in range(3):
        params, lam = _l1_inputs(ctx, i)
        answer = ctx.student.call("l1_penalty", (params, lam), return_args=True)
        expect_unchanged((params,), answer.args_after[:1], ("params",), function="l1_penalty",
                         hint=L1_PENALTY_HINT())
        expected = ctx.ref.l1_penalty(params, lam)
        trail.diagnose((params, lam), answer.value, expected)
        expect_float(answer.value, expected, f"l1_penalty (lam {lam:.3g})", type_name=answer.type_name)


@check("l1_gradient.values", function="l1_gradient", points=3,
       description="(lam sign(W), zeros) per layer, 0 where W == 0 exactly; params unchanged")
def l1_gradient_values(ctx) -> None:
    trail = Trail(L1_GRADIENT.values())
    for i in range(3):
        params, lam = _l1_inputs(ctx, i)
        answer = ctx.student.call("l1_gradient", (params, lam), return_args=True)
        expect_unchanged((params,), answer.args_after[:1], ("params",), function="l1_gradient",
                         hint=L1_GRADIENT_HINT())
        expected = ctx.ref.l1_gradient(params, lam)
        trail.diagnose((params, lam), answer.value, expected)
        _expect_pairs(answer.value, expected, f"l1_gradient (lam {lam:.3g})")
