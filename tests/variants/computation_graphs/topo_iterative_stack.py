# Topological order by an iterative depth-first search with an explicit stack: a node is
# appended once all of its parents have been (post-order), visited nodes tracked by id.
def topological_order(root):
    order, done, stack = [], set(), [(root, False)]
    while stack:
        node, expanded = stack.pop()
        if id(node) in done:
            continue
        if expanded:
            done.add(id(node))
            order.append(node)
            continue
        stack.append((node, True))
        for parent in node.parents:
            if id(parent) not in done:
                stack.append((parent, False))
    return order


EXPECT = {"notes": {}}
