# A depth-first topological order without a visited set: a node reached along two paths (used
# twice) is listed twice.
def topological_order(root):
    order = []

    def visit(node):
        for parent in node.parents:
            visit(parent)
        order.append(node)

    visit(root)
    return order


EXPECT = {
    "lost": {
        "topological_order.graphs": 5,
        "topological_order.deep": 2,
    },
    "diagnoses": {
        "topological_order.graphs": "topological_order.duplicates",
        "topological_order.deep": "topological_order.duplicates",
    },
    "local": None,
}
