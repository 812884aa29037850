# A topological order that collects the parents of every node it meets, but never the root.
def topological_order(root):
    order, seen = [], set()

    def visit(node):
        for parent in node.parents:
            if id(parent) not in seen:
                seen.add(id(parent))
                visit(parent)
                order.append(parent)

    visit(root)
    return order


EXPECT = {
    "lost": {
        "topological_order.graphs": 5,
        "topological_order.deep": 2,
    },
    "diagnoses": {},
    "local": None,
}
