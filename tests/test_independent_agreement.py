"""computation_graphs: the reference and the independent solution (tests/independent/) agree
number for number, and the gradients both compute agree with central differences.

The hidden tests grade the independent solution too (tests/test_hidden_tests.py), but through the
checks and their tolerances; this compares the two implementations directly, without the specs,
on inputs chosen to exercise what the assignment is about: broadcasting undone (a bias (d,), a
column (N, 1), a scalar), a node used twice and a diamond in the graph, ReLU inputs exactly 0,
logits around 1e3, batch norm with a non-default momentum and eps, optimizer states late in
training, clipping on both sides of max_norm, weights exactly 0 for the L1 subgradient.
Inputs are never changed by either side (checked on every call).
"""

from __future__ import annotations

import copy

import corpus as sol
import numpy as np
import pytest

A = "computation_graphs"
#: Exact agreement up to float64 rounding of two formulas; central differences are looser.
RTOL, GRAD_RTOL, H = 1e-9, 1e-5, 1e-6
SEEDS = (0, 1, 2)


@pytest.fixture(scope="module")
def sides():
    return sol.reference_namespace(A), sol.independent_namespace(A)


def _close(got, want, rtol=RTOL, where=""):
    if isinstance(want, list | tuple):
        assert isinstance(got, list | tuple) and len(got) == len(want), where
        for i, (g, w) in enumerate(zip(got, want)):
            _close(g, w, rtol, f"{where}[{i}]")
    elif isinstance(want, dict):
        assert isinstance(got, dict) and set(got) == set(want), where
        for k in want:
            _close(got[k], want[k], rtol, f"{where}[{k!r}]")
    else:
        got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
        assert got.shape == want.shape, (where, got.shape, want.shape)
        np.testing.assert_allclose(got, want, rtol=rtol, atol=rtol, err_msg=where)


def _both(sides, name, *args):
    """Call `name` on both sides with copies of args; neither may change its arguments."""
    answers = []
    for ns in sides:
        given = copy.deepcopy(args)
        answers.append(ns[name](*given))
        _close(given, args, 0.0, f"{name} changed its arguments")
    _close(answers[1], answers[0], where=name)
    return answers[0]


def _pairs(rng, shapes, low=None):
    draw = (lambda s: rng.uniform(low, 1.0, s)) if low else (lambda s: rng.normal(size=s))
    return [(draw(w), draw(b)) for w, b in shapes]


@pytest.mark.parametrize("seed", SEEDS)
def test_local_backwards_agree(sides, seed):
    rng = np.random.default_rng(seed)
    for grad_shape, shape in [((4, 3), (3,)), ((4, 3), (4, 1)), ((2, 4, 3), (1, 3)), ((4, 3), ()),
                              ((4, 3), (4, 3)), ((4, 3), (1, 1))]:
        _both(sides, "unbroadcast", rng.normal(size=grad_shape), shape)
    for a_shape, b_shape in [((4, 3), (3,)), ((4, 1), (1, 3)), ((4, 3), ()), ((4, 3), (4, 3))]:
        for name in ("add_backward", "mul_backward"):
            _both(sides, name, rng.normal(size=(4, 3)), rng.normal(size=a_shape), rng.normal(size=b_shape))
    _both(sides, "matmul_backward", rng.normal(size=(5, 2)), rng.normal(size=(5, 4)), rng.normal(size=(4, 2)))
    a, dout = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    a[0, :2] = 0.0
    for name, args in [("sum_backward", (np.array(rng.normal()), a)), ("mean_backward", (np.array(rng.normal()), a)),
                       ("relu_backward", (dout, a)), ("exp_backward", (dout, np.exp(a))),
                       ("log_backward", (dout, np.abs(a) + 0.1)), ("tanh_backward", (dout, np.tanh(a)))]:
        _both(sides, name, *args)
    logits, y = rng.normal(size=(6, 4)) * 3, rng.integers(0, 4, 6)
    for shift in (0.0, 1e3, -1e3):
        loss = _both(sides, "cross_entropy", logits + shift, y)
        assert isinstance(loss, float) and np.isfinite(loss)
        _both(sides, "cross_entropy_backward", np.array(0.7), logits + shift, y)


def _graphs(rng):
    """(name, build(list of leaf Tensors) -> scalar root, leaf arrays)."""
    n, d, k = 5, 4, 3
    yield ("bias broadcast", lambda L: (L[0] @ L[1] + L[2]).relu().sum(),
           [rng.normal(size=(n, d)), rng.normal(size=(d, k)), rng.normal(size=k)])
    yield ("node used twice", lambda L: (L[0] * L[0] + L[0]).tanh().mean(), [rng.normal(size=(n, d))])
    yield ("diamond", lambda L: (lambda h: (h.exp() * h.tanh() - h / 3.0).sum())(L[0] @ L[1]),
           [rng.normal(size=(n, d)), rng.normal(size=(d, k))])
    yield ("row and column", lambda L: ((L[0] * L[0] + 1.0).log() * L[1] - L[2]).mean(),
           [rng.normal(size=(n, d)), rng.normal(size=(1, d)), rng.normal(size=(n, 1))])


def _numerical(Tensor, build, leaves, i):
    x, g = leaves[i], np.zeros_like(leaves[i])
    for idx in np.ndindex(x.shape):
        old = x[idx]
        x[idx] = old + H
        up = float(build([Tensor(v) for v in leaves]).data)
        x[idx] = old - H
        down = float(build([Tensor(v) for v in leaves]).data)
        x[idx] = old
        g[idx] = (up - down) / (2 * H)
    return g


@pytest.mark.parametrize("seed", SEEDS)
def test_graph_gradients_agree_with_each_other_and_central_differences(sides, seed):
    rng = np.random.default_rng(seed)
    for name, build, leaves in _graphs(rng):
        grads = []
        for ns in sides:
            nodes = [ns["Tensor"](v.copy()) for v in leaves]
            root = build(nodes)
            order = ns["topological_order"](root)
            position = {id(node): i for i, node in enumerate(order)}
            assert len(position) == len(order) and order[-1] is root, name
            assert all(position[id(p)] < position[id(node)] for node in order for p in node.parents), name
            ns["backward"](root)
            grads.append([node.grad for node in nodes])
        _close(grads[1], grads[0], where=name)
        for i in range(len(leaves)):
            _close(grads[0][i], _numerical(sides[0]["Tensor"], build, [v.copy() for v in leaves], i),
                   GRAD_RTOL, f"{name}: leaf {i} against central differences")


@pytest.mark.parametrize("seed", SEEDS)
def test_mlp_loss_agrees_with_the_hand_written_backward(sides, seed):
    rng = np.random.default_rng(seed)
    sizes = [2, 5, 4, 3]
    params = [(rng.normal(size=(a, b)), rng.normal(size=b)) for a, b in zip(sizes, sizes[1:])]
    X, y = rng.normal(size=(7, 2)), rng.integers(0, 3, 7)
    logits, cache = sides[0]["mlp_forward_by_hand"](params, X)
    by_hand = sides[0]["mlp_backward_by_hand"](params, cache, logits, y)
    for ns in sides:
        tensors = [(ns["Tensor"](W), ns["Tensor"](b)) for W, b in params]
        loss = ns["mlp_loss"](tensors, X, y)
        loss.backward()
        _close(float(loss.data), ns["cross_entropy"](logits, y))
        _close([(W.grad, b.grad) for W, b in tensors], by_hand, 1e-8, "mlp_loss gradients")


@pytest.mark.parametrize("seed", SEEDS)
def test_batch_norm_agrees(sides, seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(8, 3)) * 2 + 1
    gamma, beta, mean, var = rng.normal(size=3), rng.normal(size=3), rng.normal(size=3), rng.uniform(0.5, 2, 3)
    for extra in ((), (0.8, 1e-3)):
        answers = []
        for ns in sides:
            out, cache, new_mean, new_var = ns["batchnorm_forward"](x, gamma, beta, mean, var, True, *extra)
            dout = np.random.default_rng(seed + 100).normal(size=x.shape)
            answers.append((out, new_mean, new_var, ns["batchnorm_backward"](dout, cache)))
            test_mode = ns["batchnorm_forward"](x, gamma, beta, mean, var, False, *extra)
            answers[-1] += (test_mode[0], test_mode[2], test_mode[3])
        _close(answers[1], answers[0], 1e-8, "batch norm")


@pytest.mark.parametrize("seed", SEEDS)
def test_optimizers_clipping_and_l1_agree(sides, seed):
    rng = np.random.default_rng(seed)
    shapes = [((3, 4), (4,)), ((4, 2), (2,))]
    params, grads, velocity = (_pairs(rng, shapes) for _ in range(3))
    squares = _pairs(rng, shapes, low=0.1)
    _both(sides, "nesterov_step", params, grads, velocity, 0.05, 0.7)
    _both(sides, "adagrad_step", params, grads, {"G": squares}, 0.05, 1e-6)
    _both(sides, "rmsprop_step", params, grads, {"s": squares}, 0.05, 0.8, 1e-6)
    for max_norm in (0.5, 1e3):
        _both(sides, "clip_by_global_norm", grads, max_norm)
    params[0][0][0, :2] = 0.0
    _both(sides, "l1_penalty", params, 0.3)
    _both(sides, "l1_gradient", params, 0.3)
