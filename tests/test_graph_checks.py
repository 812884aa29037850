"""The graph checks of computation_graphs against hostile submissions, each next to its honest twin.

The checks of `topological_order`, `backward` and `mlp_loss` send a graph description to where the
student's code runs; the contract's builder (nnkit_contract/graphs.py) builds it there with the
student's `Tensor` and returns plain data only (values, grads, the order as node indices), which
the grader judges itself. Attacked here, in this process (the test double runs the same builder)
and through the real sandbox:

- an order of wrappers whose __eq__ and __hash__ say "equal" to everything, and of Tensor
  subclasses built by the student (objects that are not nodes of the graph);
- an order with duplicates, an order that is not a list, a list subclass whose __iter__ lies;
- grads that are not arrays (a string, a list, an object, an ndarray subclass), and a loss that is
  not a Tensor;
- a submission that defines a function under the builder's reserved name, hoping the grader calls
  it instead of the builder;
- graphs 200 nodes deep for a recursive topological sort (the honest twin that must pass).
"""

from __future__ import annotations

import corpus as sol
import numpy as np
import pytest
from inprocess import InProcessStudent

from autograde_tests import engine
from grader.grading.grade import SandboxStudent
from grader.sandbox import SubmissionSession
from nnkit_contract import graphs
from nnkit_contract.cells import Role

A = "computation_graphs"
SEED = 3
GRAPH_FUNCTIONS = ("topological_order", "backward", "mlp_loss")

RECURSIVE = '''
def topological_order(root):
    order, seen = [], set()

    def visit(node):
        if id(node) in seen:
            return
        seen.add(id(node))
        for parent in node.parents:
            visit(parent)
        order.append(node)

    visit(root)
    return order
'''
TUPLE_ORDER = '''
_honest_order = topological_order


def topological_order(root):
    return tuple(_honest_order(root))
'''
LIARS = '''
class _Liar:
    def __init__(self, node):
        self.node = node

    def __eq__(self, other):
        return True

    def __hash__(self):
        return 0


_honest_order = topological_order


def topological_order(root):
    return [_Liar(node) for node in _honest_order(root)]
'''
LYING_SUBCLASS = '''
class _Twin(Tensor):
    def __eq__(self, other):
        return True

    def __hash__(self):
        return 0


_honest_order = topological_order


def topological_order(root):
    return [_Twin(node.data, node.parents, node.backward_fn) for node in _honest_order(root)]
'''
DUPLICATES = '''
_honest_order = topological_order


def topological_order(root):
    order = _honest_order(root)
    return order[:1] + order
'''
GENERATOR = '''
_honest_order = topological_order


def topological_order(root):
    return (node for node in _honest_order(root))
'''
LYING_LIST = '''
_honest_order = topological_order


class _Shown(list):
    def __init__(self, real):
        super().__init__([real[0]] * len(real))   # what the list holds
        self.real = real

    def __iter__(self):                            # what it pretends to hold
        return iter(self.real)


def topological_order(root):
    return _Shown(_honest_order(root))
'''
GRADS_NOT_ARRAYS = {
    "string": "'0.5'",
    "list": "node.data.tolist()",
    "object": "object()",
    "subclass": "np.zeros_like(node.data).view(type('Grad', (np.ndarray,), {}))",
}
NOT_A_TENSOR = '''
_honest_mlp_loss = mlp_loss


def mlp_loss(params, X, y):
    return float(_honest_mlp_loss(params, X, y).data)
'''
#: An mlp_loss with its ReLU made by hand, Tensor(data, parents, backward_fn): the recording
#: Tensor cannot replay a backward_fn, and says so (the loss is still right).
HAND_MADE_NODE = '''
def mlp_loss(params, X, y):
    A = Tensor(X)
    for i, (W, b) in enumerate(params):
        Z = A @ W + b
        if i < len(params) - 1:
            a = Z.data
            Z = Tensor(np.maximum(a, 0.0), (Z,), lambda dout, a=a: (relu_backward(dout, a),))
        A = Z
    return A.cross_entropy(y)
'''
RESERVED_NAME = f'''
def {graphs.ENTRY}(*args, **kwargs):
    raise SystemExit("the reserved name reached the student's function")
'''


def _grads_not_arrays(expression: str) -> str:
    return f'''
_honest_backward = backward


def backward(root):
    _honest_backward(root)
    for node in topological_order(root):
        node.grad = {expression}
'''


def _results(code: str, functions=GRAPH_FUNCTIONS) -> dict:
    """The graph checks of the reference with `code` run after it, in this process."""
    sources = [*sol.reference_sources(A), code]

    def fresh():
        return sol.namespace(sources, A)

    student = InProcessStudent(fresh(), fresh)
    results = engine.run_checks(student, SEED, sol.ref(A), only=functions)
    return {r.id: r for r in results}


def _lost(results: dict) -> dict:
    return {cid: (r.status, r.diagnosis_id) for cid, r in results.items() if r.status != "passed"}


@pytest.mark.parametrize("code", [RECURSIVE, TUPLE_ORDER, ""], ids=["recursive", "tuple", "reference"])
def test_honest_orders_pass_at_depth_200(code):
    """The honest twins: a recursive sort (the chain is 200 nodes deep), a tuple, the reference."""
    assert _lost(_results(code)) == {}


@pytest.mark.parametrize("code", [LIARS, LYING_SUBCLASS, LYING_LIST], ids=["liars", "subclass", "lying-list"])
def test_orders_of_objects_that_are_not_the_graphs_nodes_fail(code):
    results = _results(code, ("topological_order",))
    assert set(_lost(results)) == {"topological_order.graphs", "topological_order.deep"}
    message = results["topological_order.graphs"].message
    assert "not nodes of the graph" in message or "appears" in message, message


def test_duplicates_and_non_lists_fail_with_what_is_wrong():
    dup = _results(DUPLICATES, ("topological_order",))
    assert {r.diagnosis_id for r in dup.values()} == {"topological_order.duplicates"}
    gen = _results(GENERATOR, ("topological_order",))
    assert all(r.status == "failed" and "must return a list" in r.message for r in gen.values())


@pytest.mark.parametrize("kind", sorted(GRADS_NOT_ARRAYS))
def test_grads_that_are_not_arrays_fail_the_check_not_the_grader(kind):
    results = _results(_grads_not_arrays(GRADS_NOT_ARRAYS[kind]), ("backward",))
    lost = _lost(results)
    assert set(lost) == {"backward.shared", "backward.broadcast", "backward.deep"}
    assert all(status == "failed" for status, _ in lost.values()), lost
    assert all("grad" in results[cid].message for cid in lost)


def test_a_loss_that_is_not_a_tensor_fails_mlp_loss_only():
    results = _results(NOT_A_TENSOR, ("mlp_loss",))
    assert set(_lost(results)) == {"mlp_loss.loss", "mlp_loss.grads"}
    assert "as a Tensor" in results["mlp_loss.loss"].message


def test_a_node_made_by_hand_in_mlp_loss_is_named_not_replayed():
    results = _results(HAND_MADE_NODE, ("mlp_loss",))
    assert set(_lost(results)) == {"mlp_loss.grads"}
    assert "made a node by hand" in results["mlp_loss.grads"].message


def test_the_reserved_name_never_reaches_the_students_function():
    assert _lost(_results(RESERVED_NAME)) == {}


# ------------------------------------------------------------------ the real sandbox
def _sandbox_results(code: str, functions=GRAPH_FUNCTIONS) -> dict:
    """The same checks through a sandboxed session of the reference's cells plus `code` (the
    setup cell that imports the datasets is left out: no check needs it)."""
    cells = [source for role, source in sol.cells(A)
             if not (role is Role.SETUP and "toy2d" in source)]
    session = SubmissionSession([*cells, code], setup_cells=["import numpy as np"])
    try:
        results = engine.run_checks(SandboxStudent(session), SEED, sol.ref(A), only=functions)
    finally:
        session.close()
    return {r.id: r for r in results}


def test_in_the_sandbox_the_builder_answers_and_liars_fail_next_to_their_twin():
    honest = _sandbox_results(RECURSIVE + RESERVED_NAME)
    assert _lost(honest) == {}, {cid: r.message for cid, r in honest.items()}
    liars = _sandbox_results(LIARS, ("topological_order",))
    assert set(_lost(liars)) == {"topological_order.graphs", "topological_order.deep"}
    assert "not nodes of the graph" in liars["topological_order.graphs"].message


def test_builder_validates_its_own_descriptions():
    """The builder refuses a description that refers to a node not built yet (the grader's own
    mistake, never a student's): one clear line."""
    with pytest.raises(ValueError, match="does not exist yet"):
        graphs.validate([("add", 0, 5)], 2)
    with pytest.raises(ValueError, match="is not one of"):
        graphs.validate([("pow", 0, 1)], 2)
    assert graphs.order_indices("not a list", []) is None
    ns = sol.reference_namespace(A)
    nodes = graphs.build(ns, [("mul", 0, 0), ("sum", 2)], [np.ones(3), np.ones(3)])
    assert graphs.order_indices([nodes[2], object(), nodes[2]], nodes) == [2, -1, 2]


def test_a_0d_argument_array_reaches_the_student_as_0d():
    """A scalar Tensor's grad is a 0-d array, and the local backward checks send them: placed in
    the argument memory (return_args), it must still be 0-d, and read back as 0-d."""
    session = SubmissionSession(["def f(x):\n    return (x.shape, x.ndim)"], setup_cells=["import numpy as np"])
    try:
        answer = session.call("f", (np.array(2.5),), return_args=True)
    finally:
        session.close()
    assert answer.value == ((), 0)
    assert answer.args_after[0].shape == () and answer.args_after[0] == 2.5
