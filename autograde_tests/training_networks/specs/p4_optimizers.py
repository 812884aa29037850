"""Part 4: SGD with momentum and Adam as update rules with explicit state.

One check per optimizer, so that a wrong update rule costs the same whichever state shows it
(points follow the bug, not the test that notices it): steps from a zero state and from a state
late in training (non-zero velocity; Adam's t > 1 with moments of both signs), and steps chained
by feeding each the state the student's previous step returned. The returned state is compared as
well as the parameters. The inputs keep the declared alternatives apart (lr is never 1 - beta,
states are not all zero), and every diagnosis below is confirmed by all the calls the check
made, the failing one last (autograde_tests.diagnosis.Trail).
"""

from __future__ import annotations

import numpy as np

from autograde_tests import inputs
from autograde_tests.compare import Fail, expect_array, expect_unchanged
from autograde_tests.diagnosis import SHARED, Diagnosis, Trail, declare, same
from autograde_tests.engine import check
from autograde_tests.messages import message

#: (lr range, beta range) of the momentum checks; lr stays this far from 1 - beta, where the
#: averaging form v = beta v + (1 - beta) g would give the velocity of another mistake.
MOMENTUM_LR, MOMENTUM_BETA, APART = (0.01, 0.3), (0.5, 0.95), 0.05
#: Learning-rate range of the Adam checks (beta1, beta2 and eps are drawn around the defaults).
ADAM_LR = (1e-3, 0.1)
#: Steps chained by the checks, each fed the state the previous one returned.
CHAIN = 3


#: What to do instead of changing an argument in place (compare.expect_unchanged).
HINTS = {m.key.split(":", 1)[1]: m() for m in (
    message("momentum_step.hint-params",
        "build new arrays p + v_new, never W += ..."),
    message("momentum_step.hint-grads",
        "only read the gradients"),
    message("momentum_step.hint-velocity",
        "build the new velocity beta * v - lr * g as new arrays, never v *= beta"),
    message("adam_step.hint-params",
        "build new arrays p - lr * m_hat / (np.sqrt(v_hat) + eps), never W -= ..."),
    message("adam_step.hint-grads",
        "only read the gradients"),
    message("adam_step.hint-state",
        "return a new dict {{'t': ..., 'm': [...], 'v': [...]}} with new arrays; "
        "leave the given state (its t, m and v) as it is"),
)}


def _like(ctx, params, scale: float = 1.0):
    return [(inputs.normal(ctx.rng, *W.shape, scale=scale), inputs.normal(ctx.rng, *b.shape, scale=scale))
            for W, b in params]


def _zeros(params):
    return [(np.zeros_like(W), np.zeros_like(b)) for W, b in params]


def _network(ctx, index: int | None = None):
    sizes = inputs.NETWORKS[index if index is not None else int(ctx.rng.integers(len(inputs.NETWORKS)))]
    return inputs.params_for(ctx.ref, sizes, ctx.rng)


PAIRS = message("optimizers.not-pairs", "{name} must be a list of {n} (W, b)-shaped tuples")
MOMENTUM_NOT_TUPLE = message("momentum_step.not-tuple",
                             "momentum_step must return a tuple (new_params, new_velocity)")
ADAM_NOT_TUPLE = message("adam_step.not-tuple", "adam_step must return a tuple (new_params, new_state)")
ADAM_STATE = message("adam_step.state-not-dict",
                     'adam_step must return the new state as a dict with keys "t", "m" and "v"')
ADAM_T = message("adam_step.t-differs", "new_state['t'] is {t} ({where}), expected {expected}")


NAME_WHERE = message("optimizers.name-where", "{name} ({where})")
ARRAY_OF = message("optimizers.array-of", "{name}: {array}")
DEFAULT_BETA_NAME = message("momentum_step.default-beta-name",
                            "new_params with the default beta = 0.9")
FROM_NONZERO = message("momentum_step.from-nonzero", "from a non-zero velocity")
STEP_FROM_ZERO = message("momentum_step.step-from-zero", "step {step} of {steps} from a zero "
                         "velocity, fed the velocity your previous step returned")
FIRST_STEP = message("adam_step.first-step", "the first step from a zero state")
STEP_FROM_T = message("adam_step.step-from-t", "a step from t = {t}")
STEP_FED = message("adam_step.step-fed",
                   "step {step} of {steps}, fed the state your previous step returned")


def _pairs(value, n: int, name: str) -> list:
    if not isinstance(value, list | tuple) or len(value) != n or not all(
            isinstance(p, list | tuple) and len(p) == 2 for p in value):
        raise Fail(PAIRS(name=name, n=n))
    return list(value)


def _expect_pairs(got, expected, name: str) -> None:
    for i, (g, e) in enumerate(zip(_pairs(got, len(expected), name), expected), start=1):
        expect_array(g[0], e[0], ARRAY_OF(name=name, array=f"W_{i}"))
        expect_array(g[1], e[1], ARRAY_OF(name=name, array=f"b_{i}"))


def _per_array(rule):
    """A step function over every (W, b) array from a rule on one array:
    rule(p, g, v, lr, beta) -> (p_new, v_new)."""
    def momentum_step(params, grads, velocity, lr, beta=0.9):
        new_params, new_velocity = [], []
        for (W, b), (dW, db), (vW, vb) in zip(params, grads, velocity):
            (W2, vW2), (b2, vb2) = rule(W, dW, vW, lr, beta), rule(b, db, vb, lr, beta)
            new_params.append((W2, b2))
            new_velocity.append((vW2, vb2))
        return new_params, new_velocity
    return momentum_step


MOMENTUM = declare(
    Diagnosis("momentum_step.ascends", "momentum with the wrong sign",
              "the step goes up the gradient: it equals v_new = beta * v + lr * g, p + v_new; here "
              "v_new = beta * v - lr * g (minus: against the gradient), then p_new = p + v_new",
              _per_array(lambda p, g, v, lr, beta: (p + beta * v + lr * g, beta * v + lr * g))),
    Diagnosis("momentum_step.velocity-subtracted", "momentum with the wrong sign",
              "new_params equal p - v_new: with v_new = beta * v - lr * g the update is p + v_new",
              _per_array(lambda p, g, v, lr, beta: (p - (beta * v - lr * g), beta * v - lr * g))),
    Diagnosis("momentum_step.no-velocity", "no velocity state",
              "the step is a plain SGD step and the velocity comes back as it was given: "
              "v_new = beta * v - lr * g, p_new = p + v_new, and return v_new",
              _per_array(lambda p, g, v, lr, beta: (p - lr * g, v))),
    Diagnosis("momentum_step.ignores-velocity", "incoming velocity ignored",
              "the incoming velocity is ignored: the step equals v_new = -lr * g; it is "
              "v_new = beta * v - lr * g, with v the velocity passed in",
              _per_array(lambda p, g, v, lr, beta: (p - lr * g, -lr * g))),
    Diagnosis("momentum_step.old-velocity", "update with the old velocity",
              "new_params equal p + v with the velocity passed in: update with the new one, "
              "p_new = p + v_new, v_new = beta * v - lr * g",
              _per_array(lambda p, g, v, lr, beta: (p + v, beta * v - lr * g))),
    Diagnosis("momentum_step.stale-velocity", "velocity not returned",
              "new_params are right, but the returned velocity is the one passed in: return "
              "v_new = beta * v - lr * g",
              _per_array(lambda p, g, v, lr, beta: (p + beta * v - lr * g, v))),
    Diagnosis("momentum_step.classic-form", "another momentum convention",
              "the step follows another convention, v = beta * v + g, p - lr * v; this notebook's "
              "is v_new = beta * v - lr * g and p_new = p + v_new",
              _per_array(lambda p, g, v, lr, beta: (p - lr * (beta * v + g), beta * v + g))),
    Diagnosis("momentum_step.ema-form", "averaging (EMA) momentum",
              "the step follows the averaging form v = beta * v + (1 - beta) * g, p - lr * v; this "
              "notebook's momentum is v_new = beta * v - lr * g and p_new = p + v_new",
              _per_array(lambda p, g, v, lr, beta: (p - lr * (beta * v + (1 - beta) * g),
                                                    beta * v + (1 - beta) * g))),
    Diagnosis("momentum_step.fixed-beta", "beta argument ignored",
              "momentum_step(..., beta={beta}) used beta = 0.9: use the argument beta",
              lambda params, grads, velocity, lr, beta=0.9: _per_array(
                  lambda p, g, v, lr, _: (p + 0.9 * v - lr * g, 0.9 * v - lr * g))(
                  params, grads, velocity, lr)),
    Diagnosis("momentum_step.default-beta", "default beta",
              "momentum_step(params, grads, velocity, lr) without beta is wrong, while the same "
              "call with beta=0.9 is right: keep the default of the signature, beta=0.9"),
)


def _momentum(ctx, params, grads, velocity, lr, *beta):
    answer = ctx.student.call("momentum_step", (params, grads, velocity, lr, *beta),
                              return_args=True)
    expect_unchanged((params, grads, velocity), answer.args_after[:3],
                     ("params", "grads", "velocity"), function="momentum_step",
                     hint={"params": HINTS["momentum_step.hint-params"],
                           "grads": HINTS["momentum_step.hint-grads"],
                           "velocity": HINTS["momentum_step.hint-velocity"]})
    value = answer.value
    if not isinstance(value, tuple | list) or len(value) != 2:
        raise Fail(MOMENTUM_NOT_TUPLE())
    return tuple(value)


def _repeat_differs(ctx, fn: str, args: tuple, got) -> None:
    """A wrong answer that nothing declared explains: when the same call, repeated, answers
    differently, the function keeps state outside its arguments (observed)."""
    if not same(ctx.student.call(fn, args).value, got):
        raise Fail.of(SHARED["hidden-state"], function=fn)


def _momentum_step(ctx, trail: Trail, params, grads, velocity, lr, beta, where: str):
    """One checked step (beta given); returns the student's (new_params, new_velocity)."""
    got = _momentum(ctx, params, grads, velocity, lr, beta)
    expected = ctx.ref.momentum_step(params, grads, velocity, lr, beta)
    trail.diagnose((params, grads, velocity, lr, beta), got, expected, beta=f"{beta:.3g}")
    if not same(got, expected):
        _repeat_differs(ctx, "momentum_step", (params, grads, velocity, lr, beta), got)
        _expect_pairs(got[0], expected[0], NAME_WHERE(name="new_params", where=where))
        _expect_pairs(got[1], expected[1], NAME_WHERE(name="new_velocity", where=where))
    return got


def _lr_beta(ctx) -> tuple[float, float]:
    while True:
        lr, beta = float(ctx.rng.uniform(*MOMENTUM_LR)), float(ctx.rng.uniform(*MOMENTUM_BETA))
        if abs(lr - (1 - beta)) > APART:
            return lr, beta


@check("momentum_step.values", function="momentum_step", points=9,
       description="v_new = beta v - lr g, p_new = p + v_new from a non-zero and from a zero "
                   f"velocity, {CHAIN} chained steps fed the returned velocity, the default beta "
                   "0.9; inputs unchanged")
def momentum_values(ctx) -> None:
    trail = Trail(MOMENTUM.values())
    for index in range(len(inputs.NETWORKS)):
        params = _network(ctx, index)
        grads, velocity = _like(ctx, params), _like(ctx, params, 0.5)
        _momentum_step(ctx, trail, params, grads, velocity, *_lr_beta(ctx), FROM_NONZERO())
    params = _network(ctx)
    lr, beta = _lr_beta(ctx)
    got_p, got_v = params, _zeros(params)
    for step in range(1, CHAIN + 1):
        got_p, got_v = _momentum_step(ctx, trail, got_p, _like(ctx, params), got_v, lr, beta,
                                      STEP_FROM_ZERO(step=step, steps=CHAIN))
        got_p, got_v = _pairs(got_p, len(params), "new_params"), _pairs(got_v, len(params),
                                                                        "new_velocity")
    grads, velocity = _like(ctx, params), _like(ctx, params, 0.5)
    got = _momentum(ctx, params, grads, velocity, 0.1)
    expected = ctx.ref.momentum_step(params, grads, velocity, 0.1)
    if not same(got, expected):
        if same(_momentum(ctx, params, grads, velocity, 0.1, 0.9), expected):
            raise Fail.of(MOMENTUM["default-beta"])
        _expect_pairs(got[0], expected[0], DEFAULT_BETA_NAME())


# ---------------------------------------------------------------- Adam
def _adam_rule(*, correct="t", t_new=lambda t: t + 1, eps_inside=False, eps_early=False,
               v_from_m=False, store_hat=False):
    """An alternative adam_step: the reference's rule with one part changed.

    correct: the bias correction's divisor, "t" (1 - beta**t with the new t), "old-t" (with the
    t it was given; "old-t-guarded": at least 1), "none", or "beta" (1 - beta, without the
    power). eps_early: the correction
    folded into the step size, so eps is added to the uncorrected sqrt(v) (the paper's faster
    form). v_from_m: the old second moment read from state["m"]. store_hat: the state keeps the
    corrected moments."""
    def adam_step(params, grads, state, lr, beta1=0.9, beta2=0.999, eps=1e-8):
        t_old, t = state["t"], state["t"] + 1
        power = {"t": t, "old-t": t_old, "old-t-guarded": max(t_old, 1)}.get(correct)
        new_params, new_m, new_v = [], [], []
        for layer, grad, m_layer, v_layer in zip(params, grads, state["m"],
                                                 state["m"] if v_from_m else state["v"]):
            p_out, m_out, v_out = [], [], []
            for p, g, m, v in zip(layer, grad, m_layer, v_layer):
                m = beta1 * m + (1 - beta1) * g
                v = beta2 * v + (1 - beta2) * g ** 2
                if correct == "none":
                    c1 = c2 = 1.0
                elif correct == "beta":
                    c1, c2 = 1 - beta1, 1 - beta2
                else:
                    c1, c2 = 1 - beta1 ** power, 1 - beta2 ** power
                m_hat, v_hat = m / c1, v / c2
                if eps_early:
                    p_out.append(p - lr * np.sqrt(c2) / c1 * m / (np.sqrt(v) + eps))
                elif eps_inside:
                    p_out.append(p - lr * m_hat / np.sqrt(v_hat + eps))
                else:
                    p_out.append(p - lr * m_hat / (np.sqrt(v_hat) + eps))
                m_out.append(m_hat if store_hat else m)
                v_out.append(v_hat if store_hat else v)
            new_params.append(tuple(p_out))
            new_m.append(tuple(m_out))
            new_v.append(tuple(v_out))
        return new_params, {"t": t_new(t_old), "m": new_m, "v": new_v}
    return adam_step


ADAM = declare(
    Diagnosis("adam_step.no-bias-correction", "Adam without bias correction",
              "the step has no bias correction: divide m by (1 - beta1**t) and v by "
              "(1 - beta2**t)", _adam_rule(correct="none")),
    Diagnosis("adam_step.old-t", "bias correction with the old t",
              "the bias correction uses the t it was given: first t = state['t'] + 1, then "
              "correct with that t", (_adam_rule(correct="old-t"), _adam_rule(correct="old-t-guarded"))),
    Diagnosis("adam_step.one-minus-beta", "1 - beta instead of 1 - beta^t",
              "the bias correction divides by 1 - beta1 and 1 - beta2, right only at t = 1: "
              "divide by 1 - beta1**t and 1 - beta2**t", _adam_rule(correct="beta")),
    Diagnosis("adam_step.eps-inside-sqrt", "eps inside the square root",
              "eps is inside the square root: the update divides by np.sqrt(v_hat) + eps",
              _adam_rule(eps_inside=True)),
    Diagnosis("adam_step.eps-before-correction", "eps added before the bias correction",
              "the bias correction is folded into the step size, so eps is added to the "
              "uncorrected sqrt(v) (the paper's faster form); this notebook's step adds eps after "
              "the correction: p - lr * m_hat / (np.sqrt(v_hat) + eps)",
              _adam_rule(eps_early=True)),
    Diagnosis("adam_step.v-from-m", "v read from state['m']",
              "the step equals one that reads the old second moment from state['m'] (the square "
              "root of a negative m is NaN): v = beta2 * state['v'] + (1 - beta2) * g ** 2",
              _adam_rule(v_from_m=True)),
    Diagnosis("adam_step.hat-stored", "corrected moments stored",
              "new_state holds m_hat and v_hat: store the uncorrected moments m and v (the running "
              "averages before the division by 1 - beta**t)",
              _adam_rule(store_hat=True)),
    Diagnosis("adam_step.t-not-advanced", "t not incremented",
              "new_state['t'] is {t}, the t it was given: return t = state['t'] + 1"),
)


def _adam(ctx, params, grads, state, lr, *extra):
    answer = ctx.student.call("adam_step", (params, grads, state, lr, *extra), return_args=True)
    expect_unchanged((params, grads, state), answer.args_after[:3], ("params", "grads", "state"),
                     function="adam_step",
                     hint={"params": HINTS["adam_step.hint-params"],
                           "grads": HINTS["adam_step.hint-grads"],
                           "state": HINTS["adam_step.hint-state"]})
    value = answer.value
    if not isinstance(value, tuple | list) or len(value) != 2:
        raise Fail(ADAM_NOT_TUPLE())
    new_params, new_state = value
    if not isinstance(new_state, dict) or not {"t", "m", "v"} <= set(new_state):
        raise Fail(ADAM_STATE())
    return tuple(value)


def _adam_step(ctx, trail: Trail, params, grads, state, lr, extra: tuple, where: str):
    """One checked Adam step; extra: (beta1, beta2, eps) or () for the defaults."""
    got = _adam(ctx, params, grads, state, lr, *extra)
    args = (params, grads, state, lr, *extra)
    expected = ctx.ref.adam_step(*args)
    if not same(got, expected):
        t = got[1]["t"]
        if not isinstance(t, bool) and isinstance(t, int | float) and t == state["t"]:
            raise Fail.of(ADAM["t-not-advanced"], t=t)
    trail.diagnose(args, got, expected)
    if not same(got, expected):
        _repeat_differs(ctx, "adam_step", args, got)
        _expect_pairs(got[0], expected[0], NAME_WHERE(name="new_params", where=where))
        if got[1]["t"] != expected[1]["t"]:
            raise Fail(ADAM_T(t=repr(got[1]['t']), where=where, expected=expected[1]['t']))
        _expect_pairs(got[1]["m"], expected[1]["m"], NAME_WHERE(name="new_state['m']", where=where))
        _expect_pairs(got[1]["v"], expected[1]["v"], NAME_WHERE(name="new_state['v']", where=where))
    return got


def _hyper(ctx) -> tuple[float, float, float, float]:
    return (float(ctx.rng.uniform(*ADAM_LR)), float(ctx.rng.uniform(0.8, 0.95)),
            float(ctx.rng.uniform(0.99, 0.9999)), float(10 ** ctx.rng.uniform(-8, -6)))


@check("adam_step.values", function="adam_step", points=8,
       description="the first step from a zero state (defaults and given beta1, beta2, eps), a "
                   f"step from a state late in training, {CHAIN} chained steps fed the returned "
                   "state; moments, bias correction with the new t, update; inputs unchanged")
def adam_values(ctx) -> None:
    trail = Trail(ADAM.values())
    for index in range(len(inputs.NETWORKS)):
        params = _network(ctx, index)
        grads = _like(ctx, params, scale=float(10 ** ctx.rng.uniform(-4, 0)))
        state = {"t": 0, "m": _zeros(params), "v": _zeros(params)}
        lr, *extra = _hyper(ctx)
        _adam_step(ctx, trail, params, grads, state, lr, tuple(extra) if index else (),
                   FIRST_STEP())
    params = _network(ctx)
    lr, *extra = _hyper(ctx)
    state = {"t": int(ctx.rng.integers(3, 60)), "m": _like(ctx, params, 0.1),
             "v": [(np.abs(a) * 0.01, np.abs(b) * 0.01) for a, b in _like(ctx, params)]}
    _adam_step(ctx, trail, params, _like(ctx, params), state, lr, tuple(extra),
               STEP_FROM_T(t=state['t']))
    got_p, got_s = params, {"t": 0, "m": _zeros(params), "v": _zeros(params)}
    for step in range(1, CHAIN + 1):
        got_p, got_s = _adam_step(ctx, trail, got_p, _like(ctx, params), got_s, lr, tuple(extra),
                                  STEP_FED(step=step, steps=CHAIN))
        got_p = _pairs(got_p, len(params), "new_params")
