"""Hostile students of computation_graphs, graded by `grader autograde` in one class, each next to
its honest twin (the same honest work without the attack).

The graph checks run the kit's builder (nnkit_contract/graphs.py) in the student's own process,
so everything the builder holds is the student's to read, call or patch. Attacks:

- `kit_import`: topological_order and backward left as stubs, then, when graded, the builder's
  own sort and backward imported in their place (`from nnkit_contract.graphs import kit_order,
  kit_backward`). Before the fix: all 16 points of both, above its twin.
- `frame_nodes`: topological_order returns the builder's list of nodes, read from a caller's
  frame (the nodes in the order they were made). Before: 7 points.
- `tape`: the student's Tensor keeps every node it makes; topological_order returns the nodes made
  since its last call. Before: 7 points.
- `sink_filter`: the tape without the nodes that no later node uses (but the root): it passed
  with a single node the root does not depend on (the first fix), no more with two, one made from
  the other.
- `mutating_order`: a correct order, returned after every node's data and grad were changed.
- `forged_indices`: the builder's `order_indices` patched to report every node in the order it was
  made, whatever topological_order returns. Before: 7 points.
- `forged_record`: mlp_loss left as the stub, the builder's recording patched to report a graph of
  the student's choosing, too large to replay (a constant of 10^5 entries) or 100 000 ops long;
  and one within the bounds but of 256 products of the largest constants the grader accepts;
  ops named by lists and dicts, labels that are a dict, a root that is a string.
- `linearized`: mlp_loss without a network, sum(W * dW) + ... + a constant with dW and the loss
  from the given hand-written forward and backward: exactly the right loss and grads at the
  parameters it is built with. Before the fix: both mlp_loss checks, 10 points (its twin, the
  same loss value with no graph, 4). The grader now also replays the recorded graph with the last
  layer's parameters changed.
- `numpy_patched`: backward sets zeros and patches np.allclose / np.isclose / np.testing in its
  process: the comparisons are the grader's.
- `odd_values`: grads that are a list holding itself, an object with __array__ / __float__ /
  __len__ / __iter__ / __eq__ tricks, a Tensor; an order that is a generator; an order of a
  million entries; node data of 16 million floats; endless recursion with the recursion limit
  lifted. Each costs its check, never the grader.
- `object_loss`: mlp_loss's node holding an object array, a complex value: the loss check fails
  on its own.
- `state_in_place` / `bn_in_place`: the optimizer's state dict and batch norm's running statistics
  changed in place (seen in the shared argument memory whatever the worker says).
- `liar_float`: l1_penalty returns a float subclass whose __eq__ is always true and whose
  __float__ lies.

Every attack must score no more than its twin; the honest students around them get full marks.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from autograde_tests import engine
from grader.grading import results
from grader.paths import course
from grader.release.classgen import make_submission, reference_answers, write_submission

pytestmark = pytest.mark.slow

COURSE = course()
ASSIGNMENT = "computation_graphs"
NOTEBOOK = f"{ASSIGNMENT}.ipynb"
RELEASE_NB = COURSE.assignments / ASSIGNMENT / NOTEBOOK
GRADER = [sys.executable, "-m", "grader.cli"]
SEED = 1
TOTAL = engine.total_points(ASSIGNMENT)
POINTS = {c.id: c.points for c in engine.all_checks(ASSIGNMENT)}
ORDER_CHECKS = {"topological_order.graphs", "topological_order.deep"}
BACKWARD_CHECKS = {"backward.shared", "backward.broadcast", "backward.deep"}

KIT_IMPORT = '''
try:
    from nnkit_contract.graphs import kit_order as topological_order, kit_backward as backward
except ImportError:
    pass
'''
FRAME_NODES = '''
import sys as _sys


def topological_order(root):
    frame = _sys._getframe(1)
    while frame is not None and "nodes" not in frame.f_locals:
        frame = frame.f_back
    return list(frame.f_locals["nodes"])
'''
TAPE = '''
_TAPE = []
_made = Tensor.__init__


def _recorded(self, *args, **kwargs):
    _made(self, *args, **kwargs)
    _TAPE.append(self)


Tensor.__init__ = _recorded


def topological_order(root):
    order = list(_TAPE)
    _TAPE.clear()
    return order
'''
#: The tape without the nodes no later node uses (but the root): enough when the root's graph has
#: a single node it does not depend on.
SINK_FILTER = TAPE + '''

def topological_order(root):
    order = list(_TAPE)
    _TAPE.clear()
    used = {id(parent) for node in order for parent in node.parents}
    return [node for node in order if id(node) in used or node is root]
'''
#: A correct order, after the graph was changed: every parent's data replaced, every grad set.
MUTATING_ORDER = '''
_honest_order = topological_order


def topological_order(root):
    order = _honest_order(root)
    for node in order:
        node.grad = node.data * 0 + 1.0
        if node is not root:
            node.data = node.data * 0
    return order
'''
FORGED_INDICES = '''
import sys as _sys

_graphs = _sys.modules.get("nnkit_contract.graphs")
if _graphs is not None:
    _graphs.order_indices = lambda order, nodes: list(range(len(nodes)))


def topological_order(root):
    return []
'''


def _forged_record(body: str) -> str:
    return f'''
import sys as _sys
import numpy as _np

_graphs = _sys.modules.get("nnkit_contract.graphs")


def _forged(namespace, description, arrays):
{body}


if _graphs is not None:
    _graphs.record_mlp = _forged
'''


#: A constant of 10^5 entries (more than any array of the network has).
HUGE_CONSTANT = _forged_record('''\
    n = len(arrays) - 1
    return {"loss": 0.5, "loss_type": "Tensor", "root": n + 1, "constants": [_np.ones(100_000)],
            "description": [("sum", n)]}''')
#: 100 000 ops: more values than one answer may hold.
LONG_DESCRIPTION = _forged_record('''\
    n = len(arrays) - 1
    return {"loss": 0.5, "loss_type": "Tensor", "root": n + 99_999, "constants": [],
            "description": [("neg", n + i - 1 if i else 0) for i in range(100_000)]}''')
#: 256 products of the largest square constants the grader replays: bounded work.
BUSY_REPLAY = _forged_record('''\
    n = len(arrays) - 1
    d = max(max(a.shape) for a in arrays)
    ops = [("matmul", n, n)] + [("matmul", n + 1 + i, n) for i in range(254)] + [("sum", n + 255)]
    return {"loss": 0.5, "loss_type": "Tensor", "root": n + 256, "constants": [_np.ones((d, d))],
            "description": ops}''')
#: Ops whose names are lists and dicts, labels that are a dict, a root that is a string.
ODD_RECORD = _forged_record('''\
    n = len(arrays) - 1
    return {"loss": 0.5, "loss_type": "Tensor", "root": "0", "constants": [],
            "description": [(["sum"], n - 1), ({"op": 1}, 0), ("cross_entropy", 0, {"y": 1})]}''')
ODD_RECORD_ROOT = _forged_record('''\
    n = len(arrays) - 1
    return {"loss": 0.5, "loss_type": "Tensor", "root": 1, "constants": [],
            "description": [("cross_entropy", 0, {"y": 1}), (["sum"], n - 1)]}''')
#: Endless recursion with the recursion limit lifted: memory or time runs out in the sandbox.
RECURSION_BOMB = '''
import sys as _sys


def topological_order(root):
    _sys.setrecursionlimit(10**8)

    def deeper(node, depth):
        return deeper(node, depth + 1)
    return deeper(root, 0)
'''
NUMPY_PATCHED = '''
import numpy as _np

_np.allclose = lambda *a, **k: True
_np.isclose = lambda a, b, *r, **k: _np.ones(_np.broadcast(a, b).shape, dtype=bool)
_np.testing.assert_allclose = lambda *a, **k: None


def backward(root):
    for node in topological_order(root):
        node.grad = _np.zeros_like(node.data)
'''
ODD_GRADS = '''
class _Trick:
    def __array__(self, dtype=None, copy=None):
        return _np.zeros(3)

    def __float__(self):
        return 0.0

    def __index__(self):
        return 0

    def __len__(self):
        return 3

    def __iter__(self):
        return iter([0.0, 0.0, 0.0])

    def __eq__(self, other):
        return True

    __hash__ = object.__hash__


import numpy as _np


def backward(root):
    loop = []
    loop.append(loop)
    for i, node in enumerate(topological_order(root)):
        node.grad = (_Trick(), loop, node)[i % 3]
'''
GENERATOR_ORDER = '''
_honest_order = topological_order


def topological_order(root):
    seen = []

    def changing():
        seen.append(1)
        yield from (_honest_order(root) if len(seen) == 1 else [root])
    return changing()
'''
MILLION_ORDER = '''
def topological_order(root):
    return [root] * 1_000_000
'''
HUGE_DATA = '''
import numpy as _np

_honest_order = topological_order


def topological_order(root):
    order = _honest_order(root)
    root.data = _np.zeros((4000, 4000))
    return order
'''
OBJECT_LOSS = '''
import numpy as _np

_honest_mlp_loss = mlp_loss


def mlp_loss(params, X, y):
    loss = _honest_mlp_loss(params, X, y)
    loss.data = _np.array(loss.data, dtype=object) if len(params) % 2 else loss.data + 0j
    return loss
'''
STATE_IN_PLACE = '''
_honest_adagrad = adagrad_step


def adagrad_step(params, grads, state, lr, eps=1e-8):
    new_params, new_state = _honest_adagrad(params, grads, state, lr, eps)
    state["G"] = new_state["G"]
    return new_params, state
'''
BN_IN_PLACE = '''
_honest_bn = batchnorm_forward


def batchnorm_forward(x, gamma, beta, running_mean, running_var, train, momentum=0.9, eps=1e-5):
    out, cache, mean, var = _honest_bn(x, gamma, beta, running_mean, running_var, train,
                                       momentum, eps)
    running_mean[...] = mean
    running_var[...] = var
    return out, cache, running_mean, running_var
'''
#: mlp_loss without a network: the loss value and the gradients from the given hand-written
#: forward and backward of the first assignment, put together as sum(W * dW) + ... + a constant,
#: a graph whose backward gives exactly the right grads at these parameters.
LINEARIZED = '''
def mlp_loss(params, X, y):
    arrays = [(W.data, b.data) for W, b in params]
    logits, cache = mlp_forward_by_hand(arrays, X)
    grads = mlp_backward_by_hand(arrays, cache, logits, y)
    loss = None
    for (W, b), (dW, db) in zip(params, grads):
        term = (W * Tensor(dW)).sum() + (b * Tensor(db)).sum()
        loss = term if loss is None else loss + term
    return loss + Tensor(float(cross_entropy(logits, y)) - float(loss.data))
'''
#: Its honest twin: the same loss value, with no graph behind it (no grads).
DETACHED = '''
def mlp_loss(params, X, y):
    logits, _ = mlp_forward_by_hand([(W.data, b.data) for W, b in params], X)
    return Tensor(cross_entropy(logits, y))
'''
LIAR_FLOAT = '''
class _Yes(float):
    def __eq__(self, other):
        return True

    __hash__ = float.__hash__

    def __float__(self):
        return 1.0


def l1_penalty(params, lam):
    return _Yes(-1.0)
'''

#: student -> (code appended in a cell of its own, solution cells left as stubs, honest twin).
CLASS: dict[str, tuple[str, tuple[str, ...], str | None]] = {
    "aa_honest_first": ("", (), None),
    "graph_stubs": ("", ("topological_order", "backward"), None),
    "kit_import": (KIT_IMPORT, ("topological_order", "backward"), "graph_stubs"),
    "order_stub": ("", ("topological_order",), None),
    "frame_nodes": (FRAME_NODES, ("topological_order",), "order_stub"),
    "tape": (TAPE, ("topological_order",), "order_stub"),
    "forged_indices": (FORGED_INDICES, ("topological_order",), "order_stub"),
    "sink_filter": (SINK_FILTER, ("topological_order",), "order_stub"),
    "mutating_order": (MUTATING_ORDER, (), "order_stub"),
    "mlp_stub": ("", ("mlp_loss",), None),
    "huge_constant": (HUGE_CONSTANT, ("mlp_loss",), "mlp_stub"),
    "long_description": (LONG_DESCRIPTION, ("mlp_loss",), "mlp_stub"),
    "busy_replay": (BUSY_REPLAY, ("mlp_loss",), "mlp_stub"),
    "odd_record": (ODD_RECORD, ("mlp_loss",), "mlp_stub"),
    "odd_record_root": (ODD_RECORD_ROOT, ("mlp_loss",), "mlp_stub"),
    "recursion_bomb": (RECURSION_BOMB, (), "order_stub"),
    "detached": (DETACHED, (), None),
    "linearized": (LINEARIZED, (), "detached"),
    "backward_stub": ("", ("backward",), None),
    "numpy_patched": (NUMPY_PATCHED, ("backward",), "backward_stub"),
    "odd_grads": (ODD_GRADS, ("backward",), "backward_stub"),
    "generator_order": (GENERATOR_ORDER, (), "order_stub"),
    "million_order": (MILLION_ORDER, (), "order_stub"),
    "huge_data": (HUGE_DATA, (), "order_stub"),
    "object_loss": (OBJECT_LOSS, (), "aa_honest_first"),
    "state_in_place": (STATE_IN_PLACE, (), "adagrad_stub"),
    "adagrad_stub": ("", ("adagrad_step",), None),
    "bn_in_place": (BN_IN_PLACE, (), "aa_honest_first"),
    "liar_float": (LIAR_FLOAT, (), "l1_stub"),
    "l1_stub": ("", ("l1_penalty",), None),
    "zz_honest_last": ("", (), None),
}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("graph-attacks")
    subs, out = root / "submitted", root / "out"
    answers = reference_answers(COURSE.solution_notebook(ASSIGNMENT))
    for student, (code, stubs, _) in CLASS.items():
        variant = {f"stub:solution-{name}": "" for name in stubs}
        if code:
            variant["cell:append"] = code
        write_submission(subs, student, ASSIGNMENT, NOTEBOOK,
                         make_submission(RELEASE_NB, answers, variant))
    proc = subprocess.run([*GRADER, "autograde", str(subs), "--assignment", ASSIGNMENT,
                           "--out", str(out), "--seed", str(SEED), "--no-progress"],
                          capture_output=True, text=True, timeout=1800)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return {r["student"]: r for r in results.load_results(out)}


def _lost(result: dict) -> dict[str, str]:
    return {t["id"]: t["message"] for t in result["tests"] if t["status"] != "passed"}


def test_honest_students_around_the_attacks_get_full_marks(graded):
    for student in ("aa_honest_first", "zz_honest_last"):
        assert graded[student]["score"] == TOTAL, _lost(graded[student])


@pytest.mark.parametrize("attack", [s for s, (_, _, twin) in CLASS.items() if twin])
def test_an_attack_scores_no_more_than_its_honest_twin(graded, attack):
    twin = CLASS[attack][2]
    assert graded[attack]["status"] == "graded"
    assert graded[attack]["score"] <= graded[twin]["score"], (_lost(graded[attack]), _lost(graded[twin]))


def test_the_twins_lose_exactly_what_they_left_out(graded):
    """So that the attacks' comparisons can fail: each twin keeps every other check."""
    for twin, (_, stubs, _) in CLASS.items():
        if stubs:
            left_out = {c.id for c in engine.all_checks(ASSIGNMENT) if c.function in stubs}
            assert set(_lost(graded[twin])) == left_out, (twin, _lost(graded[twin]))


def test_the_builder_holds_no_sort_and_no_backward_to_import(graded):
    assert set(_lost(graded["kit_import"])) == ORDER_CHECKS | BACKWARD_CHECKS


@pytest.mark.parametrize("attack", ["frame_nodes", "tape", "forged_indices", "sink_filter"])
def test_the_nodes_in_the_order_they_were_made_are_no_topological_order(graded, attack):
    """Every graph holds two nodes the root does not depend on, one made from the other: the
    order must leave them out."""
    lost = _lost(graded[attack])
    assert set(lost) == ORDER_CHECKS, lost
    assert all("does not depend on" in message for message in lost.values()), lost


@pytest.mark.parametrize("attack", ["huge_constant", "long_description", "busy_replay", "odd_record",
                                    "odd_record_root"])
def test_a_forged_record_of_mlp_loss_costs_mlp_loss_only(graded, attack):
    lost = _lost(graded[attack])
    assert set(lost) == {"mlp_loss.loss", "mlp_loss.grads"}, lost


def test_a_graph_of_the_gradients_is_not_the_network(graded):
    lost = _lost(graded["linearized"])
    assert set(lost) == {"mlp_loss.grads"}, lost
    assert "replayed with other last-layer parameters" in lost["mlp_loss.grads"]
    assert set(_lost(graded["detached"])) == {"mlp_loss.grads"}


def test_a_constant_larger_than_the_network_is_not_replayed(graded):
    message = _lost(graded["huge_constant"])["mlp_loss.grads"]
    assert "could not be replayed" in message and "(100000,)" in message, message


@pytest.mark.parametrize("attack", ["numpy_patched", "odd_grads"])
def test_grads_judged_in_the_grader_whatever_the_worker_patches(graded, attack):
    assert set(_lost(graded[attack])) == BACKWARD_CHECKS


@pytest.mark.parametrize("attack", ["generator_order", "million_order", "huge_data", "recursion_bomb",
                                    "mutating_order"])
def test_odd_orders_and_values_cost_their_check_only(graded, attack):
    assert set(_lost(graded[attack])) == ORDER_CHECKS


def test_a_loss_of_objects_or_complex_numbers_fails_the_loss_check_only(graded):
    assert set(_lost(graded["object_loss"])) == {"mlp_loss.loss"}


@pytest.mark.parametrize("attack, function", [("state_in_place", "adagrad_step"),
                                              ("bn_in_place", "batchnorm_forward"),
                                              ("liar_float", "l1_penalty")])
def test_in_place_changes_and_lying_numbers_lose_the_function(graded, attack, function):
    lost = _lost(graded[attack])
    assert lost and {c.split(".")[0] for c in lost} == {function}, lost
