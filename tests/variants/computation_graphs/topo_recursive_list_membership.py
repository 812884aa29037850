# Recursive topological order that asks "already placed?" by identity against the list itself
# (any(n is node ...)): slow on big graphs, correct on every graph.
def _place(node, order):
    if any(placed is node for placed in order):
        return
    for parent in node.parents:
        _place(parent, order)
    if not any(placed is node for placed in order):
        order.append(node)


def topological_order(root):
    order = []
    _place(root, order)
    return order


EXPECT = {"notes": {}}
