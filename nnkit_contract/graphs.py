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

This module holds no graph algorithm (no topological sort, no backward): it runs in the
student's process, where anything it holds is the student's to call or to read, so a sort or a
backward here would be a free answer to the functions under test (measured: importing the
builder's former `kit_order` and `kit_backward` as `topological_order` and `backward` earned
all 16 points of both from stubs). The order that `backward` is checked with comes from the grader
as node indices, and `mlp_loss` is recorded as a description (`Traced`) that the grader replays
with the reference.

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
#: also call the student's backward; or record the graph the student's mlp_loss builds.
MODES = ("values", "order", "backward", "mlp")

_BINARY = {"add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b,
           "matmul": lambda a, b: a @ b}
_UNARY = {"neg": None, "sum": "sum", "mean": "mean", "relu": "relu", "exp": "exp",
          "log": "log", "tanh": "tanh"}
#: The op of a node made with Tensor(data, parents, backward_fn) while mlp_loss is recorded.
CUSTOM = "custom"
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


def run_graph(namespace: Any, description: Any, arrays: Any, mode: str = "values",
              order: Any = None) -> dict:
    """Build a graph with the student's Tensor and run what `mode` asks; plain data out.

    Inputs:
    - namespace: the student's namespace (dict): its Tensor, topological_order, backward, mlp_loss.
    - description, arrays: the graph (see the module docstring). For mode "mlp": `arrays` is
      [W_1, b_1, ..., W_n, b_n, X] and description is [("mlp", labels)].
    - mode: one of MODES.
    - order: (mode "backward") the root's ancestors as node indices in an order the grader
      computed from the description: what `topological_order` returns while the student's
      backward runs.

    Returns a dict:
    - "values": list of every node's `data` (as the student's objects hold it);
    - "order": (mode "order") the student's topological_order(root) as node indices (-1: not a
      node of the graph), or None when it did not return a list; "order_type": its type name;
    - "grads": (mode "backward") every node's `grad` after the student's backward, run with
      the grader's order in place of the student's topological_order (so that it is checked on
      its own);
    - mode "mlp": what `record_mlp` returns.
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    if mode == "mlp":
        return record_mlp(namespace, description, list(arrays))
    nodes = build(namespace, description, arrays)
    root = nodes[-1]
    out: dict = {}
    if mode == "order":
        got = namespace[RUNS["order"]](root)
        out["order"] = order_indices(got, nodes)
        out["order_type"] = type(got).__name__
    elif mode == "backward":
        given = [nodes[i] for i in order]
        saved = namespace.get("topological_order")
        namespace["topological_order"] = lambda node: list(given)
        try:
            namespace[RUNS["backward"]](root)
        finally:
            namespace["topological_order"] = saved
        out["grads"] = [getattr(node, "grad", None) for node in nodes]
    out["values"] = [getattr(node, "data", None) for node in nodes]
    return out


# ------------------------------------------------------------------ mlp_loss, recorded
def tracer(namespace: Any) -> tuple[type, list, dict]:
    """A class standing in for the given Tensor while the student's mlp_loss runs: the same
    constructor, attributes and operations (values computed with NumPy, the loss with
    namespace["cross_entropy"]), and every node it makes recorded.

    Returns (Traced, nodes, ops): nodes in the order they were made; ops maps a node's position
    to its op tuple (name, parent positions..., extra) for every node an operation made (the
    others are leaves: parameters, constants such as Tensor(X), numbers wrapped)."""
    nodes: list = []
    ops: dict = {}

    class Traced:
        """A node of the recorded graph (data, grad, parents, backward_fn as the given Tensor)."""

        def __init__(self, data, parents=(), backward_fn=None):
            self.data = np.array(data, dtype=float)
            self.grad = np.zeros_like(self.data)
            self.parents = tuple(parents)
            self.backward_fn = backward_fn
            self.position = len(nodes)
            nodes.append(self)
            if self.parents:     # made by hand, Tensor(data, parents, backward_fn): not replayable
                ops[self.position] = (CUSTOM,)

        def __repr__(self):
            return f"Tensor(shape={self.data.shape}, {len(self.parents)} parents)"

        @staticmethod
        def wrap(value):
            return value if isinstance(value, Traced) else Traced(value)

        def _op(self, name, value, parents, *extra):
            node = Traced(value, parents)
            ops[node.position] = (name, *(p.position for p in parents), *extra)
            return node

        def __add__(self, other):
            other = Traced.wrap(other)
            return self._op("add", self.data + other.data, (self, other))

        def __radd__(self, other):
            return Traced.wrap(other) + self

        def __sub__(self, other):
            other = Traced.wrap(other)
            return self._op("sub", self.data - other.data, (self, other))

        def __rsub__(self, other):
            return Traced.wrap(other) - self

        def __neg__(self):
            return self._op("neg", -self.data, (self,))

        def __mul__(self, other):
            other = Traced.wrap(other)
            return self._op("mul", self.data * other.data, (self, other))

        def __rmul__(self, other):
            return Traced.wrap(other) * self

        def __truediv__(self, number):
            number = float(number)
            return self._op("div", self.data / number, (self,), number)

        def __matmul__(self, other):
            return self._op("matmul", self.data @ other.data, (self, other))

        def sum(self):
            return self._op("sum", self.data.sum(), (self,))

        def mean(self):
            return self._op("mean", self.data.mean(), (self,))

        def relu(self):
            return self._op("relu", np.maximum(self.data, 0.0), (self,))

        def exp(self):
            return self._op("exp", np.exp(self.data), (self,))

        def log(self):
            return self._op("log", np.log(self.data), (self,))

        def tanh(self):
            return self._op("tanh", np.tanh(self.data), (self,))

        def cross_entropy(self, y):
            y = np.asarray(y)
            return self._op("cross_entropy", namespace["cross_entropy"](self.data, y), (self,), y)

    return Traced, nodes, ops


def record_mlp(namespace: Any, description: Any, arrays: list) -> dict:
    """Run the student's mlp_loss on leaves of `tracer`'s class (in place of their Tensor) and
    return the graph it built as a description, for the grader to replay with the reference.

    Inputs: description [("mlp", labels)], arrays [W_1, b_1, ..., W_n, b_n, X].

    Returns a dict: "loss" (the returned node's data, None when mlp_loss returned no node of
    the graph), "loss_type"; and, for a node: "description" (the op tuples of every node made
    before the loss, leaves renumbered first: the parameters 0..2n-1, then the constants),
    "constants" (the constants' data, in that order) and "root" (the loss's index); or
    "custom": True when a node the loss depends on was made by hand (Tensor(data, parents,
    backward_fn)), which the grader cannot replay."""
    (tag, labels), = description
    if tag != "mlp" or len(arrays) % 2 != 1:
        raise ValueError("mode 'mlp' takes [('mlp', labels)] and [W_1, b_1, ..., W_n, b_n, X]")
    traced, nodes, ops = tracer(namespace)
    leaves = [traced(a) for a in arrays[:-1]]
    params = [(leaves[i], leaves[i + 1]) for i in range(0, len(leaves), 2)]
    saved = namespace.get("Tensor")
    namespace["Tensor"] = traced
    try:
        loss = namespace[RUNS["mlp"]](params, np.array(arrays[-1], dtype=float), np.asarray(labels))
    finally:
        namespace["Tensor"] = saved
    if type(loss) is not traced:
        return {"loss": None, "loss_type": type(loss).__name__}
    made = nodes[:loss.position + 1]
    if any(ops.get(i, ("",))[0] == CUSTOM for i in range(len(made))):
        return {"loss": loss.data, "loss_type": "Tensor", "custom": True}
    first = [i for i in range(len(made)) if i not in ops] + [i for i in range(len(made)) if i in ops]
    index = {position: k for k, position in enumerate(first)}
    n_leaves = len(made) - sum(1 for i in ops if i < len(made))
    renumbered = []
    for position in first[n_leaves:]:
        name, *rest = ops[position]
        refs = 2 if name in _BINARY else 1
        renumbered.append((name, *(index[p] for p in rest[:refs]), *rest[refs:]))
    return {"loss": loss.data, "loss_type": "Tensor",
            "description": renumbered,
            "constants": [made[i].data for i in first[len(leaves):n_leaves]],
            "root": index[loss.position]}
