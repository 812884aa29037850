"""Part 2: the MLP of the first assignment built from Tensor operations, mlp_loss.

The contract's builder (nnkit_contract.graphs, mode "mlp") calls the student's mlp_loss where the
student's code runs, with the given Tensor class replaced by a recording one (the same operations),
and returns the graph it built as a description: the parameters, the constants and every
operation up to the returned node. The grader replays that description with the reference's
Tensor and backward here, so this checks the network the student wrote with Tensor operations,
not their autograd functions of Part 1, and the sandbox holds no backward a student could call
(the builder's former `kit_backward` was a free `backward`: tests/test_graph_attacks.py). The
replay is bounded before it runs: at most MAX_RECORDED nodes, constants of at most two axes no
longer than the call's own largest axis, so every node is as small as the network's own arrays.
The grads are compared with the first assignment's hand-written backward on the same parameters
(the given mlp_backward_by_hand), which is what the notebook tells students they will see, and
again with the last layer's parameters moved (`_last_layer_moved`).
"""

from __future__ import annotations

import numpy as np

from autograde_tests import inputs
from autograde_tests.compare import Fail, expect_array, expect_unchanged
from autograde_tests.engine import check
from autograde_tests.messages import message
from autograde_tests.probes import with_note
from nnkit_contract import graphs

#: The functions the recording Tensor calls, taken from the reference (the loss's value).
LOCAL = ("cross_entropy",)
#: The most nodes (operations, and constants) a recorded mlp_loss may hold: a network of three
#: layers needs 9 operations, the loss assembled from primitives about 20 more.
MAX_RECORDED = 256
HINT = message("mlp_loss.hint", "build new Tensors with operations; never write into an array")
NOT_LOSS = message("mlp_loss.not-tensor", "mlp_loss must return the loss as a Tensor (the node "
                   ".cross_entropy(y) returns), got {kind}")
LOSS_NAME = message("mlp_loss.loss-name", "the loss of a network of layer sizes {sizes}")
UNREADABLE_GRADS = message("mlp_loss.unreadable-grads",
                           "the parameters' grads could not be read after backward from your loss")
NOT_REPLAYABLE = message("mlp_loss.not-replayable", "the graph your mlp_loss built could not be "
                        "replayed ({error}): build it from the Tensor operations (+, -, *, /, @, "
                        "sum, mean, relu, exp, log, tanh, cross_entropy) on the Tensors in params")
CUSTOM_NODE = message("mlp_loss.custom-node", "your mlp_loss made a node by hand, Tensor(data, "
                      "parents, backward_fn): build the network from the Tensor operations only")
MOVED_GRAD_NAME = message("mlp_loss.moved-grad-name", "{grad} of your graph replayed with other "
                          "last-layer parameters (layer sizes {sizes})")
GRAD_NAME = message("mlp_loss.grad-name", "{grad} (layer sizes {sizes})")
#: The hints of the grads' failures, each shown only where it applies: a parameter whose grad is
#: zero everywhere is not in the graph; a graph right at the given parameters (checked first)
#: but wrong with the last layer's moved holds values computed with them as constants.
NOT_IN_GRAPH = message("mlp_loss.not-in-graph", "{param} gets no gradient from your loss: build "
                       "every layer from the Tensors in params")
CONSTANTS = message("mlp_loss.constants", "your graph gives the right grads at the given "
                    "parameters only: build the loss from the Tensors in params, not from values "
                    "computed with them")


def _case(ctx, sizes: tuple[int, ...]) -> tuple:
    n = int(ctx.rng.integers(3, 8))
    params = inputs.params_for(ctx.ref, sizes, ctx.rng)
    X = inputs.normal(ctx.rng, n, sizes[0])
    y = inputs.labels(ctx.rng, n, sizes[-1])
    return params, X, y


def _run(ctx, params, X, y) -> dict:
    arrays = [a for layer in params for a in layer] + [X]
    substitute = {name: getattr(ctx.ref, name) for name in LOCAL}
    answer = ctx.student.call(graphs.ENTRY, ([("mlp", [int(v) for v in y])], arrays, "mlp"),
                              substitute=substitute, return_args=True)
    names = tuple(f"{kind}_{i}" for i in range(1, len(params) + 1) for kind in ("W", "b")) + ("X",)
    expect_unchanged(tuple(arrays), answer.args_after[1], names, function="mlp_loss",
                     hint=HINT())
    got = answer.value
    if not isinstance(got, dict) or got.get("loss") is None:
        kind = got.get("loss_type") if isinstance(got, dict) else "?"
        raise Fail(NOT_LOSS(kind=kind))
    return got


def _replayed_grads(ctx, params, X, got: dict) -> list:
    """The grads of the parameters after the reference's backward through the graph the student's
    mlp_loss built (its recorded description, replayed with the reference's Tensor)."""
    if got.get("custom"):
        raise Fail(CUSTOM_NODE())
    description, constants, root = got.get("description"), got.get("constants"), got.get("root")
    arrays = [a for layer in params for a in layer]
    largest = max(max(a.shape, default=1) for a in [*arrays, X])
    readable = isinstance(description, list) and isinstance(constants, list) and type(root) is int
    if not readable or len(description) > MAX_RECORDED or len(constants) > MAX_RECORDED:
        raise Fail(UNREADABLE_GRADS())
    for c in constants:
        if not isinstance(c, np.ndarray) or c.ndim > 2 or max(c.shape, default=1) > largest:
            raise Fail(NOT_REPLAYABLE(error=f"{type(c).__name__} {np.shape(c)}"))
    try:
        with np.errstate(all="ignore"):
            nodes = graphs.build(vars(ctx.ref), description, [*arrays, *constants])
            if not 0 <= root < len(nodes):
                raise IndexError(root)
            ctx.ref.backward(nodes[root])
    except Exception as exc:   # the student's graph, replayed: any error is theirs
        raise Fail(NOT_REPLAYABLE(error=type(exc).__name__)) from None
    return [nodes[i].grad for i in range(len(arrays))]


def _expected(ctx, params, X, y):
    logits, cache = ctx.ref.mlp_forward_by_hand(params, X)
    return ctx.ref.cross_entropy(logits, y), ctx.ref.mlp_backward_by_hand(params, cache, logits, y)


@check("mlp_loss.loss", function="mlp_loss", points=4,
       description="the mean cross-entropy of the network's logits (linear layers, ReLU between "
                   "them) as a scalar Tensor, for 1, 2 and 3 layers; inputs unchanged")
def mlp_loss_loss(ctx) -> None:
    for sizes in inputs.NETWORKS:
        params, X, y = _case(ctx, sizes)
        got = _run(ctx, params, X, y)
        loss, _ = _expected(ctx, params, X, y)
        expect_array(got["loss"] if isinstance(got["loss"], np.ndarray) else np.asarray(got["loss"]),
                     np.asarray(loss), LOSS_NAME(sizes=list(sizes)))


def _last_layer_moved(ctx, params) -> list:
    """params with the last layer's W and b moved by a standard normal draw: the hidden layers'
    ReLU patterns stay as they are (no ReLU follows the last layer), so a graph that is the
    network, even with constants taken from its values (a mask for ReLU, a shift for
    log-sum-exp), has the network's gradients there too; a graph of the gradients at the
    original parameters (sum(W * dW) + ..., with dW from the given hand-written backward) does
    not (measured: it earned both mlp_loss checks, 10 points, without a network)."""
    *hidden, (W, b) = params
    return [*hidden, (W + inputs.normal(ctx.rng, *W.shape), b + inputs.normal(ctx.rng, *b.shape))]


@check("mlp_loss.grads", function="mlp_loss", points=6,
       description="after backward from the returned loss, every W.grad and b.grad equals the "
                   "first assignment's hand-written backward, for 1, 2 and 3 layers, also with "
                   "the last layer's parameters changed (the graph is the network)")
def mlp_loss_grads(ctx) -> None:
    for sizes in inputs.NETWORKS:
        params, X, y = _case(ctx, sizes)
        got = _run(ctx, params, X, y)
        moved = _last_layer_moved(ctx, params)
        for at, name in ((params, GRAD_NAME), (moved, MOVED_GRAD_NAME)):
            _, grads = _expected(ctx, at, X, y)
            leaves = _replayed_grads(ctx, at, X, got)
            for i, (dW, db) in enumerate(grads, 1):
                for param, leaf, expected in ((f"W_{i}", leaves[2 * i - 2], dW),
                                              (f"b_{i}", leaves[2 * i - 1], db)):
                    try:
                        expect_array(leaf, expected, name(grad=f"{param}.grad", sizes=list(sizes)))
                    except Fail as fail:
                        raise with_note(fail, _hint(name, param, leaf, expected)) from None


def _hint(name, param: str, leaf, expected: np.ndarray):
    """What to do about a parameter's wrong grad, where the grader can tell (else "")."""
    if name is MOVED_GRAD_NAME:
        return CONSTANTS()
    if isinstance(leaf, np.ndarray) and leaf.shape == expected.shape and not leaf.any() \
            and expected.any():
        return NOT_IN_GRAPH(param=param)
    return ""
