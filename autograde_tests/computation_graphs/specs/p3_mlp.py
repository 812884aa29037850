"""Part 2: the MLP of the first assignment built from Tensor operations, mlp_loss.

The contract's builder (nnkit_contract.graphs, mode "mlp") makes the parameters leaf Tensors of
the student's Tensor class, calls the student's mlp_loss where the student's code runs, and runs
the kit's own backward from the node it returns, with the reference's local backward functions
(called back into the grader): so this checks the network the student wrote with Tensor
operations, not their autograd functions of Part 1. The grads are compared with the first
assignment's hand-written backward on the same parameters (the given mlp_backward_by_hand),
which is what the notebook tells students they will see.
"""

from __future__ import annotations

import numpy as np

from autograde_tests import inputs
from autograde_tests.compare import Fail, expect_array, expect_unchanged
from autograde_tests.engine import check
from autograde_tests.messages import message
from nnkit_contract import graphs

#: The local backward functions (and the loss) the checks take from the reference.
LOCAL = ("unbroadcast", "add_backward", "mul_backward", "matmul_backward", "sum_backward",
         "mean_backward", "relu_backward", "exp_backward", "log_backward", "tanh_backward",
         "cross_entropy", "cross_entropy_backward")
HINT = message("mlp_loss.hint", "build new Tensors with operations; never write into an array")
NOT_LOSS = message("mlp_loss.not-tensor", "mlp_loss must return the loss as a Tensor (the node "
                   ".cross_entropy(y) returns), got {kind}")
LOSS_NAME = message("mlp_loss.loss-name", "the loss of a network of layer sizes {sizes}")
UNREADABLE_GRADS = message("mlp_loss.unreadable-grads",
                           "the parameters' grads could not be read after backward from your loss")
GRAD_NAME = message("mlp_loss.grad-name", "{grad} (layer sizes {sizes}): build every layer from "
                    "the Tensors in params")


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


@check("mlp_loss.grads", function="mlp_loss", points=6,
       description="after backward from the returned loss, every W.grad and b.grad equals the "
                   "first assignment's hand-written backward, for 1, 2 and 3 layers")
def mlp_loss_grads(ctx) -> None:
    for sizes in inputs.NETWORKS:
        params, X, y = _case(ctx, sizes)
        got = _run(ctx, params, X, y)
        _, grads = _expected(ctx, params, X, y)
        leaves = got.get("grads")
        if not isinstance(leaves, list) or len(leaves) != 2 * len(params):
            raise Fail(UNREADABLE_GRADS())
        for i, (dW, db) in enumerate(grads, 1):
            expect_array(leaves[2 * i - 2], dW, GRAD_NAME(grad=f"W_{i}.grad", sizes=list(sizes)))
            expect_array(leaves[2 * i - 1], db, GRAD_NAME(grad=f"b_{i}.grad", sizes=list(sizes)))
