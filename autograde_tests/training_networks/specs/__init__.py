"""The hidden tests of `training_networks`: one spec module per notebook part, imported in name
order. Each declares its checks with `@check`; they register with this assignment's registry
(autograde_tests.engine, told by the package name). Spec modules never import each other."""
