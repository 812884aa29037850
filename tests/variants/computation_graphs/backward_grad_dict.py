# backward that collects the gradients in a dict keyed by id(node) and writes node.grad once per
# node (added to what the node held), instead of accumulating into node.grad as it goes.
import numpy as np


def backward(root):
    order = topological_order(root)
    grads = {id(root): np.ones_like(root.data, dtype=float)}
    for node in reversed(order):
        g = grads[id(node)]
        if node is root:
            node.grad = g
        else:
            node.grad = node.grad + g
        if node.backward_fn is not None:
            for parent, pg in zip(node.parents, node.backward_fn(g)):
                grads[id(parent)] = grads.get(id(parent), 0) + pg


EXPECT = {"notes": {}}
