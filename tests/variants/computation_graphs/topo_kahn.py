# Topological order by Kahn's algorithm on the reversed edges: count each node's children,
# emit from the root, a parent once all of its children are out, then reverse the list.
from collections import deque


def topological_order(root):
    children, found, queue = {}, {id(root): root}, deque([root])
    while queue:
        node = queue.popleft()
        for parent in node.parents:
            children[id(parent)] = children.get(id(parent), 0) + 1
            if id(parent) not in found:
                found[id(parent)] = parent
                queue.append(parent)
    emitted, queue = [], deque([root])
    while queue:
        node = queue.popleft()
        emitted.append(node)
        for parent in node.parents:
            children[id(parent)] -= 1
            if children[id(parent)] == 0:
                queue.append(parent)
    emitted.reverse()
    return emitted


EXPECT = {"notes": {}}
