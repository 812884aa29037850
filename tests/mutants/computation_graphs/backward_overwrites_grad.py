# backward that overwrites a parent's gradient instead of adding to it: a node used twice keeps
# only the gradient of its last use.
import numpy as np


def backward(root):
    root.grad = np.ones_like(root.data)
    for node in reversed(topological_order(root)):
        if node.backward_fn is None:
            continue
        for parent, g in zip(node.parents, node.backward_fn(node.grad)):
            parent.grad = g


EXPECT = {
    "lost": {
        "backward.shared": 4,
        "backward.deep": 3,
    },
    "diagnoses": {
        "backward.shared": "backward.assigns",
        "backward.deep": "backward.assigns",
    },
    "local": None,
}
