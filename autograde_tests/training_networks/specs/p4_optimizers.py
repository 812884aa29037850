"""Part 4: SGD with momentum and Adam as update rules with explicit state.

The state a step returns is compared as well as the parameters, and the `.state` checks chain
several steps, feeding each step the state the student's previous step returned: a velocity that
is never carried forward, or an Adam step counter that does not advance, shows there.
"""

from __future__ import annotations

import numpy as np

from autograde_tests import inputs
from autograde_tests.compare import Fail, close, expect_array, expect_unchanged
from autograde_tests.engine import check

#: (lr range, beta range) of the momentum checks.
MOMENTUM_LR, MOMENTUM_BETA = (0.01, 0.3), (0.5, 0.95)
#: Learning-rate range of the Adam checks (beta1, beta2 and eps are drawn around the defaults).
ADAM_LR = (1e-3, 0.1)
#: Steps chained by the `.state` checks.
CHAIN = 3


def _like(ctx, params, scale: float = 1.0):
    return [(inputs.normal(ctx.rng, *W.shape, scale=scale), inputs.normal(ctx.rng, *b.shape, scale=scale))
            for W, b in params]


def _zeros(params):
    return [(np.zeros_like(W), np.zeros_like(b)) for W, b in params]


def _network(ctx, index: int | None = None):
    sizes = inputs.NETWORKS[index if index is not None else int(ctx.rng.integers(len(inputs.NETWORKS)))]
    return inputs.params_for(ctx.ref, sizes, ctx.rng)


def _pairs(value, n: int, name: str) -> list:
    if not isinstance(value, list | tuple) or len(value) != n or not all(
            isinstance(p, list | tuple) and len(p) == 2 for p in value):
        raise Fail(f"{name} must be a list of {n} (W, b)-shaped tuples")
    return list(value)


def _expect_pairs(got, expected, name: str) -> None:
    for i, (g, e) in enumerate(zip(_pairs(got, len(expected), name), expected), start=1):
        expect_array(g[0], e[0], f"{name}: W_{i}")
        expect_array(g[1], e[1], f"{name}: b_{i}")


def _same_pairs(got, expected) -> bool:
    try:
        got = _pairs(got, len(expected), "")
    except Fail:
        return False
    return all(close(g[0], e[0]) and close(g[1], e[1]) for g, e in zip(got, expected))


# ---------------------------------------------------------------- momentum
def _momentum(ctx, params, grads, velocity, lr, beta):
    answer = ctx.student.call("momentum_step", (params, grads, velocity, lr, beta), return_args=True)
    expect_unchanged((params, grads, velocity), answer.args_after[:3],
                     ("params", "grads", "velocity"),
                     hint="build new arrays: v_new = beta * v - lr * g and p + v_new")
    value = answer.value
    if not isinstance(value, tuple | list) or len(value) != 2:
        raise Fail("momentum_step must return a tuple (new_params, new_velocity)")
    return value


def _momentum_probes(got_params, got_velocity, params, grads, velocity, lr, beta) -> None:
    """Fail with the likely cause when the parameters are one of the typical wrong updates."""
    def rule(update):
        return [(update(W, dW, vW), update(b, db, vb))
                for (W, b), (dW, db), (vW, vb) in zip(params, grads, velocity)]
    candidates = {
        "the step goes up the gradient: v_new = beta * v - lr * g, then p + v_new":
            (rule(lambda p, g, v: p + beta * v + lr * g), "momentum with the wrong sign"),
        "the velocity is subtracted: with v_new = beta * v - lr * g the update is p + v_new":
            (rule(lambda p, g, v: p - (beta * v - lr * g)), "momentum with the wrong sign"),
        "the incoming velocity is ignored (a plain SGD step): v_new = beta * v - lr * g":
            (rule(lambda p, g, v: p - lr * g), "no velocity state"),
        "a different convention: here v_new = beta * v - lr * g and p_new = p + v_new (not "
        "v = beta * v + g, p - lr * v)":
            (rule(lambda p, g, v: p - lr * (beta * v + g)), "momentum convention"),
    }
    for text, (wrong, diagnosis) in candidates.items():
        if _same_pairs(got_params, wrong):
            raise Fail(f"new_params: {text}", diagnosis)
    if _same_pairs(got_velocity, velocity):
        raise Fail("the returned velocity is the one passed in: return v_new = beta * v - lr * g",
                   "no velocity state")


@check("momentum_step.values", function="momentum_step", points=5,
       description="v_new = beta v - lr g, p_new = p + v_new from a non-zero velocity, inputs unchanged")
def momentum_values(ctx) -> None:
    for index in range(len(inputs.NETWORKS)):
        params = _network(ctx, index)
        grads, velocity = _like(ctx, params), _like(ctx, params, 0.5)
        lr, beta = float(ctx.rng.uniform(*MOMENTUM_LR)), float(ctx.rng.uniform(*MOMENTUM_BETA))
        got_params, got_velocity = _momentum(ctx, params, grads, velocity, lr, beta)
        exp_params, exp_velocity = ctx.ref.momentum_step(params, grads, velocity, lr, beta)
        if not _same_pairs(got_params, exp_params):
            _momentum_probes(got_params, got_velocity, params, grads, velocity, lr, beta)
        _expect_pairs(got_params, exp_params, "new_params")
        _expect_pairs(got_velocity, exp_velocity, "new_velocity")


@check("momentum_step.state", function="momentum_step", points=4,
       description=f"{CHAIN} chained steps from zero velocity, each fed the returned velocity; "
                   "default beta 0.9")
def momentum_state(ctx) -> None:
    params = _network(ctx)
    lr, beta = float(ctx.rng.uniform(*MOMENTUM_LR)), float(ctx.rng.uniform(*MOMENTUM_BETA))
    got_p, got_v = params, _zeros(params)
    exp_p, exp_v = params, _zeros(params)
    for step in range(1, CHAIN + 1):
        grads = _like(ctx, params)
        got_p, got_v = _momentum(ctx, got_p, grads, got_v, lr, beta)
        got_p = _pairs(got_p, len(params), "new_params")
        got_v = _pairs(got_v, len(params), "new_velocity")
        plain = ctx.ref.momentum_step(exp_p, grads, _zeros(params), lr, beta)[0]
        exp_p, exp_v = ctx.ref.momentum_step(exp_p, grads, exp_v, lr, beta)
        if not _same_pairs(got_p, exp_p):
            if step == 1:
                _momentum_probes(got_p, got_v, params, grads, _zeros(params), lr, beta)
            if step > 1 and _same_pairs(got_p, plain):
                raise Fail(f"step {step} moved as if the velocity were zero: feed every step the "
                           "velocity the previous one returned", "no velocity state")
            raise Fail(f"after step {step} of {CHAIN} the parameters differ from momentum SGD fed "
                       "its own returned velocity", "velocity not carried forward")
    _expect_pairs(got_p, exp_p, f"params after {CHAIN} steps")
    _expect_pairs(got_v, exp_v, f"velocity after {CHAIN} steps")
    grads, velocity = _like(ctx, params), _like(ctx, params, 0.5)
    value = ctx.student.call("momentum_step", (params, grads, velocity, 0.1)).value
    if not isinstance(value, tuple | list) or len(value) != 2:
        raise Fail("momentum_step must return a tuple (new_params, new_velocity)")
    expected = ctx.ref.momentum_step(params, grads, velocity, 0.1)[0]
    if not _same_pairs(value[0], expected):
        # Every step with beta given was right (above): only the default can be off.
        raise Fail("momentum_step(params, grads, velocity, lr) without beta is wrong, while every "
                   "step with beta given was right: keep the default of the signature, beta=0.9",
                   "default beta")
    _expect_pairs(value[0], expected, "new_params with the default beta = 0.9")


# ---------------------------------------------------------------- Adam
def _adam(ctx, params, grads, state, lr, *extra):
    answer = ctx.student.call("adam_step", (params, grads, state, lr, *extra), return_args=True)
    expect_unchanged((params, grads, state), answer.args_after[:3],
                     ("params", "grads", "state"),
                     hint="build a new state dict and new arrays; never update m, v or t in place")
    value = answer.value
    if not isinstance(value, tuple | list) or len(value) != 2:
        raise Fail("adam_step must return a tuple (new_params, new_state)")
    new_params, new_state = value
    if not isinstance(new_state, dict) or not {"t", "m", "v"} <= set(new_state):
        raise Fail('adam_step must return the new state as a dict with keys "t", "m" and "v"')
    return new_params, new_state


def _adam_variant(params, grads, state, lr, beta1, beta2, eps, *, correct=True, advance=True,
                  eps_inside=False, eps_before_correction=False):
    """A deliberately altered Adam step (diagnosis only). eps_before_correction: the bias
    correction folded into the step size, lr * sqrt(1 - beta2**t) / (1 - beta1**t) * m /
    (sqrt(v) + eps), as the original paper's faster form: eps then acts on the uncorrected v."""
    t = state["t"] + (1 if advance else 0)
    out = []
    with np.errstate(all="ignore"):
        for (W, b), (dW, db), (mW, mb), (vW, vb) in zip(params, grads, state["m"], state["v"]):
            pair = []
            for p, g, m, v in ((W, dW, mW, vW), (b, db, mb, vb)):
                m = beta1 * m + (1 - beta1) * g
                v = beta2 * v + (1 - beta2) * g * g
                if eps_before_correction:
                    step = lr * np.sqrt(1 - beta2 ** t) / (1 - beta1 ** t)
                    pair.append(p - step * m / (np.sqrt(v) + eps))
                    continue
                m_hat = m / (1 - beta1 ** t) if correct else m
                v_hat = v / (1 - beta2 ** t) if correct else v
                pair.append(p - lr * m_hat / (np.sqrt(v_hat + eps) if eps_inside else np.sqrt(v_hat) + eps))
            out.append(tuple(pair))
    return out


def _adam_probes(got, params, grads, state, lr, beta1, beta2, eps) -> None:
    if not _pairs_finite(got):
        if state["t"] == 0:
            raise Fail("the first step gives NaN or inf: increment t before the bias correction "
                       "(t = state['t'] + 1, so 1 - beta1**t is never 0)", "t not incremented")
    candidates = {
        "the step has no bias correction: divide m by (1 - beta1**t) and v by (1 - beta2**t)":
            (dict(correct=False), "Adam without bias correction"),
        "the bias correction uses the old t: first t = state['t'] + 1, then correct with that t":
            (dict(advance=False), "t not incremented"),
        "eps is inside the square root: the update divides by sqrt(v_hat) + eps":
            (dict(eps_inside=True), "eps inside the square root"),
        "the bias correction is folded into the step size, so eps is added to the uncorrected "
        "sqrt(v) (the paper's faster form); this notebook's step adds eps after the correction: "
        "p - lr * m_hat / (sqrt(v_hat) + eps)":
            (dict(eps_before_correction=True), "eps added before the bias correction"),
    }
    for text, (options, diagnosis) in candidates.items():
        if state["t"] == 0 and options.get("advance") is False:
            continue
        if _same_pairs(got, _adam_variant(params, grads, state, lr, beta1, beta2, eps, **options)):
            raise Fail(f"new_params: {text}", diagnosis)


def _pairs_finite(got) -> bool:
    try:
        return all(np.all(np.isfinite(np.asarray(a, dtype=float))) for pair in got for a in pair)
    except (TypeError, ValueError):
        return True


def _expect_state(got: dict, expected: dict, name: str) -> None:
    t = got["t"]
    if isinstance(t, bool) or not isinstance(t, int | float) or t != expected["t"]:
        raise Fail(f"{name}['t'] is {t!r}, expected {expected['t']}: add 1 to the step count every "
                   "step", "t not incremented")
    _expect_pairs(got["m"], expected["m"], f"{name}['m']")
    _expect_pairs(got["v"], expected["v"], f"{name}['v']")


def _hyper(ctx) -> tuple[float, float, float, float]:
    return (float(ctx.rng.uniform(*ADAM_LR)), float(ctx.rng.uniform(0.8, 0.95)),
            float(ctx.rng.uniform(0.99, 0.9999)), float(10 ** ctx.rng.uniform(-8, -6)))


@check("adam_step.values", function="adam_step", points=5,
       description="the first step from a zero state: moments, bias correction with t = 1, update")
def adam_values(ctx) -> None:
    for index in range(len(inputs.NETWORKS)):
        params = _network(ctx, index)
        grads = _like(ctx, params, scale=float(10 ** ctx.rng.uniform(-4, 0)))
        state = {"t": 0, "m": _zeros(params), "v": _zeros(params)}
        lr, beta1, beta2, eps = _hyper(ctx)
        extra = () if index == 0 else (beta1, beta2, eps)
        if index == 0:
            beta1, beta2, eps = 0.9, 0.999, 1e-8   # the defaults
        got_params, got_state = _adam(ctx, params, grads, state, lr, *extra)
        exp_params, exp_state = ctx.ref.adam_step(params, grads, state, lr, beta1, beta2, eps)
        if not _same_pairs(got_params, exp_params):
            _adam_probes(got_params, params, grads, state, lr, beta1, beta2, eps)
        _expect_pairs(got_params, exp_params, "new_params")
        _expect_state(got_state, exp_state, "new_state")


@check("adam_step.state", function="adam_step", points=3,
       description=f"a step from a state late in training, and {CHAIN} chained steps fed the "
                   "returned state")
def adam_state(ctx) -> None:
    params = _network(ctx)
    lr, beta1, beta2, eps = _hyper(ctx)
    state = {"t": int(ctx.rng.integers(3, 60)), "m": _like(ctx, params, 0.1),
             "v": [(np.abs(a) * 0.01, np.abs(b) * 0.01) for a, b in _like(ctx, params)]}
    grads = _like(ctx, params)
    got_params, got_state = _adam(ctx, params, grads, state, lr, beta1, beta2, eps)
    exp_params, exp_state = ctx.ref.adam_step(params, grads, state, lr, beta1, beta2, eps)
    if not _same_pairs(got_params, exp_params):
        _adam_probes(got_params, params, grads, state, lr, beta1, beta2, eps)
    _expect_pairs(got_params, exp_params, f"new_params (from t = {state['t']})")
    _expect_state(got_state, exp_state, "new_state")
    got_p, got_s = params, {"t": 0, "m": _zeros(params), "v": _zeros(params)}
    exp_p, exp_s = got_p, got_s
    for step in range(1, CHAIN + 1):
        grads = _like(ctx, params)
        got_p, got_s = _adam(ctx, got_p, grads, got_s, lr, beta1, beta2, eps)
        exp_p, exp_s = ctx.ref.adam_step(exp_p, grads, exp_s, lr, beta1, beta2, eps)
        if not _same_pairs(got_p, exp_p):
            raise Fail(f"after step {step} of {CHAIN}, fed the state your previous step returned, "
                       "the parameters differ from Adam's", "state not carried forward")
    _expect_state(got_s, exp_s, f"the state after {CHAIN} steps")
