# backward that never seeds the root with 1: every gradient stays 0.
def backward(root):
    for node in reversed(topological_order(root)):
        if node.backward_fn is None:
            continue
        for parent, g in zip(node.parents, node.backward_fn(node.grad)):
            parent.grad += g


EXPECT = {
    "lost": {
        "backward.shared": 4,
        "backward.broadcast": 2,
        "backward.deep": 3,
    },
    "diagnoses": {},
    "local": None,
}
