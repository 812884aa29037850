"""Hidden tests of the course: one spec module per notebook part under `autograde_tests.specs`.

Everything here runs in the grader's own process (or, under nbgrader, in the grading kernel);
students never receive this package.
"""
