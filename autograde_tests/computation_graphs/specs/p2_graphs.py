"""Part 1b: the graph functions, topological_order and backward, on graphs built with the
student's own Tensor class where the student's code runs.

A check sends a graph description and its leaf arrays; the contract's builder
(nnkit_contract.graphs, bound in the sandbox) builds the graph there with the student's `Tensor`,
runs the student's function and returns plain data only: every node's value and grad, and the
order as node indices. The grader judges them here, from the description alone: an order must hold
every node the root depends on exactly once, each after all of its parents, and nothing else; the
grads must equal the reference's, which agree with a numerical gradient of the reference forward.
Nothing of the student's objects reaches the grader, and nothing the sandbox returns is believed:
an index of -1 (an object that is not a node: a copy, a wrapper, a value), a duplicate or a
non-list fails like any other wrong answer.

Every graph holds two nodes the root does not depend on, one made from the other, before the
root: an order must leave them out. Without them, the nodes in the order they were made (the
builder's own list, read from a caller's frame, or a list the student's Tensor keeps of every node
it makes) passed as a topological order, 7 points for no sort at all; with a single one, the same
list without the nodes that no other node uses (but the root) would pass (measured,
tests/test_graph_attacks.py).

`backward` is checked on its own: the builder runs it with the grader's order (the root's
ancestors by index, computed here from the description) in place of the student's
topological_order, and the local backward functions are the reference's (called back into the
grader), so only the accumulation (+=, a node used twice, leaves keep their grads) is the
student's. The deepest graph is a chain of 200 nodes: a recursive topological sort passes (Python
allows 1000 frames), as the notebook says.
"""

from __future__ import annotations

import numpy as np

from autograde_tests import inputs
from autograde_tests.compare import Fail, expect_array
from autograde_tests.diagnosis import Diagnosis, declare
from autograde_tests.engine import check
from autograde_tests.messages import message
from autograde_tests.probes import numerical_gradient
from nnkit_contract import graphs

#: Depth of the deep chain (nodes after the leaves): a recursive sort must pass at this depth.
DEEP = 200
#: The local backward functions a graph check replaces by the reference's (so that it checks
#: the graph function alone).
LOCAL = ("unbroadcast", "add_backward", "mul_backward", "matmul_backward", "sum_backward",
         "mean_backward", "relu_backward", "exp_backward", "log_backward", "tanh_backward",
         "cross_entropy", "cross_entropy_backward")
#: Tolerances within which the reference's grads agree with the numerical gradient (central
#: differences, h = 1e-5; the absolute one for the deep chain, where tanh makes the first leaf's
#: gradient tiny and the differences' rounding dominates).
GRADCHECK_RTOL, GRADCHECK_ATOL = 1e-5, 1e-8


# ---------------------------------------------------------------- the graphs
def shared_graph(ctx) -> tuple[list, list]:
    """x and h used twice, a difference, a quotient: ((h + x) * h - x / 2).sum() with h = x * w,
    then its tanh, and two nodes the root does not depend on (-exp(h + x)); shapes drawn."""
    n, d = int(ctx.rng.integers(2, 5)), int(ctx.rng.integers(2, 5))
    arrays = [inputs.normal(ctx.rng, n, d), inputs.normal(ctx.rng, n, d)]
    ops = [("mul", 0, 1),            # 2: h = x * w
           ("add", 2, 0),            # 3: u = h + x
           ("exp", 3),               # 4: DEAD
           ("neg", 4),               # 5: DEAD
           ("mul", 3, 2),            # 6: u * h
           ("div", 0, 2.0),          # 7: x / 2
           ("sub", 6, 7),            # 8
           ("tanh", 8),              # 9
           ("sum", 9)]               # 10: root
    return ops, arrays


def broadcast_graph(ctx) -> tuple[list, list]:
    """A layer: relu(X @ W + b) @ V + c with the biases broadcast over the batch, the
    cross-entropy of the logits at the root, and two nodes the root does not depend on
    (exp(tanh(X @ W + b)))."""
    n, d, h, k = int(ctx.rng.integers(3, 7)), int(ctx.rng.integers(2, 4)), int(ctx.rng.integers(3, 6)), 3
    arrays = [inputs.normal(ctx.rng, n, d), inputs.normal(ctx.rng, d, h), inputs.normal(ctx.rng, h),
              inputs.normal(ctx.rng, h, k), inputs.normal(ctx.rng, k)]
    labels = [int(v) for v in inputs.labels(ctx.rng, n, k)]
    ops = [("matmul", 0, 1), ("add", 5, 2), ("tanh", 6), ("exp", 7), ("relu", 6), ("matmul", 9, 3),
           ("add", 10, 4), ("cross_entropy", 11, labels)]
    return ops, arrays


def elementwise_graph(ctx) -> tuple[list, list]:
    """exp, log, neg and mean: mean(log(exp(a) + exp(b)) * -a), and two nodes the root does not
    depend on (log(exp(a) * exp(b)))."""
    shape = (int(ctx.rng.integers(1, 4)), int(ctx.rng.integers(2, 5)))
    arrays = [inputs.normal(ctx.rng, *shape), inputs.normal(ctx.rng, *shape)]
    ops = [("exp", 0), ("exp", 1), ("mul", 2, 3), ("log", 4), ("add", 2, 3), ("log", 6),
           ("neg", 0), ("mul", 7, 8), ("mean", 9)]
    return ops, arrays


def deep_graph(ctx) -> tuple[list, list]:
    """A chain of DEEP nodes: tanh and a product with the same leaf c in turn (c is used
    DEEP / 2 - 1 times), summed at the end; halfway, two nodes the root does not depend on
    branch off the chain."""
    d = int(ctx.rng.integers(2, 5))
    arrays = [inputs.normal(ctx.rng, d), ctx.rng.uniform(0.8, 1.3, size=d)]
    ops, last = [], 0
    for i in range(DEEP - 1):
        if i == DEEP // 2:
            ops.append(("exp", last))     # DEAD
            ops.append(("tanh", len(arrays) + len(ops) - 1))     # DEAD
        ops.append(("tanh", last) if i % 2 == 0 else ("mul", last, 1))
        last = len(arrays) + len(ops) - 1
    ops.append(("sum", last))
    return ops, arrays


def parents(ops: list, n_leaves: int) -> list[tuple[int, ...]]:
    """Every node's parents, by index, from the description alone."""
    found: list[tuple[int, ...]] = [()] * n_leaves
    for op in ops:
        found.append(tuple(op[1:3]) if op[0] in ("add", "sub", "mul", "matmul") else (op[1],))
    return found


def ancestors(parent_lists: list[tuple[int, ...]], root: int) -> set[int]:
    seen, stack = {root}, [root]
    while stack:
        for p in parent_lists[stack.pop()]:
            if p not in seen:
                seen.add(p)
                stack.append(p)
    return seen


# ---------------------------------------------------------------- the grader's side
def reference_run(ref, ops: list, arrays: list) -> tuple[list, list]:
    """Values and grads of every node with the reference's Tensor and backward."""
    nodes = graphs.build(vars(ref), ops, [a.copy() for a in arrays])
    ref.backward(nodes[-1])
    return [n.data for n in nodes], [n.grad for n in nodes]


def reference_value(ref, ops: list, arrays: list) -> float:
    return float(graphs.build(vars(ref), ops, arrays)[-1].data)


def checked_reference(ref, ops: list, arrays: list) -> tuple[list, list]:
    """The reference's values and grads, its leaf grads confirmed by a numerical gradient of the
    reference forward (the grader's own arithmetic: a wrong reference fails loudly here)."""
    values, grads = reference_run(ref, ops, arrays)
    for i, leaf in enumerate(arrays):
        def f(v, i=i):
            changed = list(arrays)
            changed[i] = v
            return reference_value(ref, ops, changed)
        numeric = numerical_gradient(f, leaf.copy())
        if not np.allclose(grads[i], numeric, rtol=GRADCHECK_RTOL, atol=GRADCHECK_ATOL):
            raise AssertionError(f"the reference's gradient of leaf {i} disagrees with the "
                                 "numerical gradient: the reference is wrong")
    return values, grads


UNREADABLE_GRAPH = message("graphs.unreadable", "the graph built with your Tensor class could not be "
                           "read ({what}): keep the given Tensor class as it is")
NODE_VALUE = message("graphs.node-value-name", "data of {node}")
#: A node as a student can find it: a leaf by its place among the leaves, another node by the
#: Tensor operation that made it (code: the same in every language), each with its shape.
LEAF = message("graphs.leaf", "leaf {i} (shape {shape})")
OP_NODE = message("graphs.op-node", "node `{expr}` (shape {shape})")
#: The operation of each op of a description, as the notebook's Tensor docstring writes it.
EXPRESSIONS = {"add": "a + b", "sub": "a - b", "mul": "a * b", "matmul": "a @ b",
               "div": "a / number", "neg": "-a", "sum": "a.sum()", "mean": "a.mean()",
               "relu": "a.relu()", "exp": "a.exp()", "log": "a.log()", "tanh": "a.tanh()",
               "cross_entropy": "logits.cross_entropy(y)"}
NOT_ORDER = message("topological_order.not-list", "topological_order must return a list of the "
                    "graph's Tensors, got {kind} ({what})")
UNREADABLE_ORDER = message("topological_order.unreadable", "your order could not be read ({what})")
NOT_NODES = message("topological_order.not-nodes", "your order holds {count} object(s) that are not "
                    "nodes of the graph (a copy, a wrapper, a value?) ({what}): return the Tensors "
                    "themselves")
MISSING = message("topological_order.missing", "your order misses {count} of the {total} nodes the "
                  "root depends on ({what}): follow .parents from every node, not only from the root")
EXTRA = message("topological_order.extra", "your order holds {count} node(s) the root does not "
                "depend on ({what})")
BEFORE_PARENT = message("topological_order.before-parent", "{node} comes before its parent "
                        "{parent} in your order ({what}): append a node only after all of its parents")
UNREADABLE_GRADS = message("backward.unreadable", "the grads of the graph could not be read after "
                           "your backward ({what})")
ROOT_GRAD = message("backward.root-grad-name", "root.grad ({what})")
LEAF_GRAD = message("backward.leaf-grad-name", "grad of {leaf} ({what})")
#: The graphs the checks build, as the messages name them.
SHARED = message("graphs.shared", "a graph with nodes used twice")()
BROADCAST = message("graphs.broadcast", "a layer with biases broadcast over a batch")()
ELEMENTWISE = message("graphs.elementwise", "a graph of exp, log, neg and mean")()
DEEP_CHAIN = message("graphs.deep", "a chain {depth} nodes deep")(depth=DEEP)


def _values(got, n: int, what: str) -> list:
    if not isinstance(got, dict) or not isinstance(got.get("values"), list) or len(got["values"]) != n:
        raise Fail(UNREADABLE_GRAPH(what=what))
    return got["values"]


def node_name(ops: list, values: list, i: int):
    """Node i of a graph (`values`: every node's reference value, for its shape), named as a
    student can find it: "leaf 1 (shape (3,))", "node `a * b` (shape (2, 3))"."""
    n_leaves = len(values) - len(ops)
    shape = tuple(np.shape(values[i]))
    if i < n_leaves:
        return LEAF(i=i, shape=shape)
    return OP_NODE(expr=EXPRESSIONS[ops[i - n_leaves][0]], shape=shape)


def expect_values(got: dict, values: list, ops: list) -> None:
    """The forward values of the student's graph (the given Tensor class computes them)."""
    for i, (g, e) in enumerate(zip(_values(got, len(values), "values"), values)):
        expect_array(g, np.asarray(e, dtype=float), NODE_VALUE(node=node_name(ops, values, i)))


ORDER = declare(
    Diagnosis("topological_order.children-first", "order reversed",
              "your order lists children before their parents (the root first): "
              "topological_order puts every node after all of its parents, so the root comes "
              "last, and backward goes through reversed(order)", local=False),
    Diagnosis("topological_order.duplicates", "a node listed twice",
              "{node} appears {count} times in your order: a node used by several others "
              "(here one that is used twice) is listed once; remember which nodes you have "
              "visited, by identity", local=False),
)
BACKWARD = declare(
    Diagnosis("backward.assigns", "gradients assigned, not added",
              "your grads are those of assigning each parent's gradient (parent.grad = g): a node "
              "used twice keeps only its last gradient; add them, parent.grad = parent.grad + g",
              local=False),
)


def judge_order(order, order_type: str, parent_lists: list, what: str,
                name=lambda i: str(i)) -> None:
    """An order of the graph: every ancestor of the root once, each after its parents; `name`
    names node i in the messages (node_name)."""
    root = len(parent_lists) - 1
    if order is None:
        raise Fail(NOT_ORDER(kind=order_type, what=what))
    if not all(type(i) is int and -1 <= i < root + 1 for i in order):   # forged by the sandbox
        raise Fail(UNREADABLE_ORDER(what=what))
    if -1 in order:
        raise Fail(NOT_NODES(count=order.count(-1), what=what))
    wanted = ancestors(parent_lists, root)
    for node in sorted(set(order)):
        if order.count(node) > 1:
            raise Fail.of(ORDER["duplicates"], node=name(node), count=order.count(node))
    missing = wanted - set(order)
    if missing:
        raise Fail(MISSING(count=len(missing), total=len(wanted), what=what))
    extra = set(order) - wanted
    if extra:
        raise Fail(EXTRA(count=len(extra), what=what))
    position = {node: i for i, node in enumerate(order)}
    late = [(node, p) for node in order for p in parent_lists[node] if position[p] > position[node]]
    if late:
        reversed_ok = all(position[p] > position[node] for node in order for p in parent_lists[node])
        if reversed_ok:
            raise Fail.of(ORDER["children-first"])
        node, p = late[0]
        raise Fail(BEFORE_PARENT(node=name(node), parent=name(p), what=what))


def _order_case(ctx, ops: list, arrays: list, what: str) -> None:
    got = ctx.student.call(graphs.ENTRY, (ops, arrays, "order")).value
    values, _ = reference_run(ctx.ref, ops, arrays)
    expect_values(got, values, ops)
    judge_order(got.get("order"), str(got.get("order_type")), parents(ops, len(arrays)), what,
                lambda i: node_name(ops, values, i))


@check("topological_order.graphs", function="topological_order", points=5,
       description="every node the root depends on once, after its parents: nodes used twice, a "
                   "layer with biases broadcast over a batch, exp/log/neg/mean; built with your "
                   "Tensor class")
def topological_order_graphs(ctx) -> None:
    for make, what in ((shared_graph, SHARED), (broadcast_graph, BROADCAST),
                       (elementwise_graph, ELEMENTWISE)):
        _order_case(ctx, *make(ctx), what)


@check("topological_order.deep", function="topological_order", points=2,
       description=f"a chain {DEEP} nodes deep with one leaf used at every other node "
                   "(a recursive sort passes)")
def topological_order_deep(ctx) -> None:
    _order_case(ctx, *deep_graph(ctx), DEEP_CHAIN)


def _assigned_grads(ref, ops: list, arrays: list, order: list[int]) -> list:
    """The grads of a backward that assigns instead of adding (for its diagnosis), run with the
    order the student's backward was given (with assignment, the order decides which gradient
    a node keeps)."""
    nodes = graphs.build(vars(ref), ops, [a.copy() for a in arrays])
    root = nodes[-1]
    root.grad = np.ones_like(root.data)
    for node in reversed([nodes[i] for i in order]):
        if node.backward_fn is not None:
            for parent, g in zip(node.parents, node.backward_fn(node.grad)):
                parent.grad = g
    return [n.grad for n in nodes]


def _backward_case(ctx, ops: list, arrays: list, what: str, gradcheck: bool = True) -> None:
    substitute = {name: getattr(ctx.ref, name) for name in LOCAL}
    order = sorted(ancestors(parents(ops, len(arrays)), len(arrays) + len(ops) - 1))
    got = ctx.student.call(graphs.ENTRY, (ops, arrays, "backward", order),
                           substitute=substitute).value
    values, grads = (checked_reference if gradcheck else reference_run)(ctx.ref, ops, arrays)
    expect_values(got, values, ops)
    got_grads = got.get("grads")
    if not isinstance(got_grads, list) or len(got_grads) != len(grads):
        raise Fail(UNREADABLE_GRADS(what=what))
    n_leaves = len(arrays)
    try:
        for i in [len(grads) - 1, *range(n_leaves)]:
            name = ROOT_GRAD(what=what) if i == len(grads) - 1 else \
                LEAF_GRAD(leaf=node_name(ops, values, i), what=what)
            expect_array(got_grads[i], np.asarray(grads[i], dtype=float), name)
    except Fail:
        assigned = _assigned_grads(ctx.ref, ops, arrays, order)
        if all(isinstance(g, np.ndarray) and g.shape == np.shape(a) and np.allclose(g, a)
               for g, a in zip(got_grads[:n_leaves], assigned[:n_leaves])):
            raise Fail.of(BACKWARD["assigns"]) from None
        raise


@check("backward.shared", function="backward", points=4,
       description="root.grad = 1 and every leaf's grad, nodes used twice (grads added), "
                   "exp/log/neg/mean; against the reference and a numerical gradient")
def backward_shared(ctx) -> None:
    _backward_case(ctx, *shared_graph(ctx), SHARED)
    _backward_case(ctx, *elementwise_graph(ctx), ELEMENTWISE)


@check("backward.broadcast", function="backward", points=2,
       description="a layer with biases broadcast over a batch and the cross-entropy at the "
                   "root: every weight's and bias's grad")
def backward_broadcast(ctx) -> None:
    _backward_case(ctx, *broadcast_graph(ctx), BROADCAST)


@check("backward.deep", function="backward", points=3,
       description=f"a chain {DEEP} nodes deep with one leaf used at every other node: the "
                   "leaves' grads")
def backward_deep(ctx) -> None:
    _backward_case(ctx, *deep_graph(ctx), DEEP_CHAIN, gradcheck=True)
