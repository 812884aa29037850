# A depth-first topological order without a visited set: a node reached along two paths (used
# twice) is listed twice.
# The mistake of tests/mutants/computation_graphs/topo_duplicates.py.
# %% solution-topological_order
def topological_order(root):
    order = []

    def visit(node):
        for parent in node.parents:
            visit(parent)
        order.append(node)

    visit(root)
    return order
