# A topological order that lists the root first (children before parents): the order backward
# visits, not the order the API asks for.
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
    return order[::-1]


EXPECT = {
    "lost": {
        "topological_order.graphs": 5,
        "topological_order.deep": 2,
    },
    "diagnoses": {
        "topological_order.graphs": "topological_order.children-first",
        "topological_order.deep": "topological_order.children-first",
    },
    "local": None,
}
