"""The hidden tests of `computation_graphs`: one spec module per notebook part (Part 1 in two:
the local backward functions, then the graph functions), imported in name order. Each declares its
checks with `@check`; they register with this assignment's registry (autograde_tests.engine,
told by the package name). Spec modules never import each other."""
