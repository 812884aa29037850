# backward that accumulates into node.grad with a new array each time (p.grad = p.grad + g)
# and walks the order by index from the end.
import numpy as np


def backward(root):
    order = topological_order(root)
    root.grad = np.ones(np.shape(root.data))
    for i in range(len(order) - 1, -1, -1):
        node = order[i]
        if node.backward_fn is None:
            continue
        parent_grads = node.backward_fn(node.grad)
        for k, parent in enumerate(node.parents):
            parent.grad = parent.grad + parent_grads[k]


EXPECT = {"notes": {}}
