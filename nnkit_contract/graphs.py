"""Computation graphs built with a submission's own `Tensor` class, where the submission runs.

The hidden tests of `computation_graphs` check `topological_order`, `backward` and `mlp_loss` on
graphs of Tensors, and a Tensor never crosses into the grader. So the grader sends a graph
*description* (plain data) and the input arrays; `run_graph`, called in the process that runs the
student's code, builds the graph with the student's `Tensor` and returns plain data only: every
node's value, its gradient, and the student's order as node indices. The grader then judges
those arrays itself (the order's validity, the gradients against the reference and a numerical
gradient): nothing here is trusted, and nothing here is secret (it holds no input, no expected
value, no test).

A description is a list of op tuples; node i < len(arrays) is the leaf `Tensor(arrays[i])`, and
each op appends one node, made from earlier nodes by their indices:

    ("add", i, j)  ("sub", i, j)  ("mul", i, j)  ("matmul", i, j)      a + b, a - b, a * b, a @ b
    ("div", i, number)                                                a / number
    ("neg", i)  ("sum", i)  ("mean", i)  ("relu", i)  ("exp", i)  ("log", i)  ("tanh", i)
    ("cross_entropy", i, labels)                                      logits.cross_entropy(labels)

The last node is the root. The grader reaches `run_graph` by calling the function named `ENTRY`:
the worker (and the tests' in-process double) resolve that name to this module's function, taken
before any student code ran, never to a name of the student's namespace.

Standard library + NumPy only; it imports no other module of the kit (see __init__.py).
"""

from __future__ import annotations

from typing import Any

import numpy as np

#: The function name a check calls to run a graph (reserved: a student's function of that name
#: is never called).
ENTRY = "nnkit_run_graph"
#: The student's function a call of ENTRY runs, by mode (mode "values" runs none of them): the
#: function a graph check checks.
RUNS = {"order": "topological_order", "backward": "backward", "mlp": "mlp_loss"}
#: What run_graph can do: build and return values; also call the student's topological_order;
#: also call the student's backward; or build the student's mlp_loss and run the kit's backward.
MODES = ("values", "order", "backward", "mlp")

_BINARY = {"add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b,
           "matmul": lambda a, b: a @ b}
_UNARY = {"neg": None, "sum": "sum", "mean": "mean", "relu": "relu", "exp": "exp",
          "log": "log", "tanh": "tanh"}
#: Ops a description may hold, with their number of arguments after the name.
OPS = {**dict.fromkeys(_BINARY, 2), **dict.fromkeys(_UNARY, 1), "div": 2, "cross_entropy": 2}


def validate(description: Any, n_arrays: int) -> list[tuple]:
    """The description as a list of op tuples, every index pointing to an earlier node; raises
    ValueError with one line otherwise (the grader's own mistake, never a student's)."""
    ops = []
    for k, op in enumerate(description):
        if not isinstance(op, (tuple, list)) or not op or op[0] not in OPS or len(op) != OPS[op[0]] + 1:
            raise ValueError(f"op {k} is not one of {sorted(OPS)} with its arguments: {op!r}")
        refs = op[1:] if op[0] in _BINARY else op[1:2]
        if not all(type(i) is int and 0 <= i < n_arrays + k for i in refs):
            raise ValueError(f"op {k} refers to a node that does not exist yet: {op!r}")
        ops.append(tuple(op))
    if not ops and n_arrays == 0:
        raise ValueError("an empty graph")
    return ops


def build(namespace: Any, description: Any, arrays: Any) -> list:
    """Every node of the graph, in description order, built with namespace["Tensor"]."""
    tensor = namespace["Tensor"]
    arrays = list(arrays)
    nodes = [tensor(np.array(a, dtype=float)) for a in arrays]
    for op in validate(description, len(arrays)):
        name = op[0]
        if name in _BINARY:
            nodes.append(_BINARY[name](nodes[op[1]], nodes[op[2]]))
        elif name == "neg":
            nodes.append(-nodes[op[1]])
        elif name in _UNARY:
            nodes.append(getattr(nodes[op[1]], _UNARY[name])())
        elif name == "div":
            nodes.append(nodes[op[1]] / float(op[2]))
        else:
            nodes.append(nodes[op[1]].cross_entropy(np.asarray(op[2])))
    return nodes


def order_indices(order: Any, nodes: list) -> list[int] | None:
    """The student's order as indices into `nodes` (by identity: a lying __eq__ or __hash__ is
    never called), -1 for an object that is not a node of the graph; None when `order` is not a
    list or tuple. Duplicates stay: the grader judges them."""
    if not isinstance(order, (list, tuple)):
        return None
    where = {id(node): i for i, node in enumerate(nodes)}
    items = list.__iter__(order) if isinstance(order, list) else tuple.__iter__(order)
    return [where.get(id(item), -1) for item in items]


def parents_of(node: Any) -> tuple:
    """A node's parents as a tuple (a hostile attribute that is not a sequence counts as none)."""
    parents = getattr(node, "parents", ())
    return tuple(parents) if isinstance(parents, (tuple, list)) else ()


def kit_order(root: Any) -> list:
    """The kit's own topological order of the graph ending in root (iterative: any depth)."""
    order, seen, stack = [], set(), [(root, False)]
    while stack:
        node, ready = stack.pop()
        if ready:
            order.append(node)
        elif id(node) not in seen:
            seen.add(id(node))
            stack.append((node, True))
            stack.extend((p, False) for p in parents_of(node) if id(p) not in seen)
    return order


def kit_backward(root: Any) -> None:
    """The kit's own backward: root.grad = 1, then every node's backward_fn in reversed order,
    its results added to its parents' grads (the reference algorithm, for checks that must not
    depend on the student's `backward`)."""
    root.grad = np.ones_like(np.asarray(root.data, dtype=float))
    for node in reversed(kit_order(root)):
        if getattr(node, "backward_fn", None) is None:
            continue
        for parent, grad in zip(parents_of(node), node.backward_fn(node.grad)):
            parent.grad = parent.grad + grad


def run_graph(namespace: Any, description: Any, arrays: Any, mode: str = "values") -> dict:
    """Build a graph with the student's Tensor and run what `mode` asks; plain data out.

    Inputs:
    - namespace: the student's namespace (dict): its Tensor, topological_order, backward, mlp_loss.
    - description, arrays: the graph (see the module docstring). For mode "mlp": `arrays` is
      [W_1, b_1, ..., W_n, b_n, X] and description is [("mlp", labels)].
    - mode: one of MODES.

    Returns a dict:
    - "values": list of every node's `data` (as the student's objects hold it);
    - "order": (mode "order") the student's topological_order(root) as node indices (-1: not a
      node of the graph), or None when it did not return a list; "order_type": its type name;
    - "grads": (modes "backward", "mlp") every node's `grad` after the backward pass; in mode
      "backward" the student's backward runs with the kit's topological order in place of theirs
      (so that it is checked on its own);
    - mode "mlp": "loss" (the returned node's data, or None when mlp_loss returned no Tensor) and
      "grads" of the 2n parameter leaves after the kit's backward from that node; "loss_type".
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    if mode == "mlp":
        return _run_mlp(namespace, description, list(arrays))
    nodes = build(namespace, description, arrays)
    root = nodes[-1]
    out: dict = {}
    if mode == "order":
        order = namespace[RUNS["order"]](root)
        out["order"] = order_indices(order, nodes)
        out["order_type"] = type(order).__name__
    elif mode == "backward":
        saved = namespace.get("topological_order")
        namespace["topological_order"] = kit_order
        try:
            namespace[RUNS["backward"]](root)
        finally:
            namespace["topological_order"] = saved
        out["grads"] = [getattr(node, "grad", None) for node in nodes]
    out["values"] = [getattr(node, "data", None) for node in nodes]
    return out


def _run_mlp(namespace: Any, description: Any, arrays: list) -> dict:
    (tag, labels), = description
    if tag != "mlp" or len(arrays) % 2 != 1:
        raise ValueError("mode 'mlp' takes [('mlp', labels)] and [W_1, b_1, ..., W_n, b_n, X]")
    tensor = namespace["Tensor"]
    leaves = [tensor(np.array(a, dtype=float)) for a in arrays[:-1]]
    params = [(leaves[i], leaves[i + 1]) for i in range(0, len(leaves), 2)]
    loss = namespace[RUNS["mlp"]](params, np.array(arrays[-1], dtype=float), np.asarray(labels))
    if not isinstance(loss, tensor):
        return {"loss": None, "loss_type": type(loss).__name__, "grads": None}
    kit_backward(loss)
    return {"loss": getattr(loss, "data", None), "loss_type": type(loss).__name__,
            "grads": [getattr(leaf, "grad", None) for leaf in leaves]}
