# Topological order by a recursive depth-first search with a nested helper and a set of ids.
def topological_order(root):
    order, seen = [], set()

    def visit(node):
        if id(node) in seen:
            return
        seen.add(id(node))
        for parent in node.parents:
            visit(parent)
        order.append(node)

    visit(root)
    return order


EXPECT = {"notes": {}}
