# backward that overwrites a parent's gradient instead of adding to it: a node used twice keeps
# only the gradient of its last use.
# The mistake of tests/mutants/computation_graphs/backward_overwrites_grad.py.
# %% solution-backward
import numpy as np


def backward(root):
    root.grad = np.ones_like(root.data)
    for node in reversed(topological_order(root)):
        if node.backward_fn is None:
            continue
        for parent, g in zip(node.parents, node.backward_fn(node.grad)):
            parent.grad = g
