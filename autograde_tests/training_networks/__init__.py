"""Everything the grader needs of the assignment `training_networks` besides its source notebook:
the hidden tests (specs/), the accuracy thresholds of its training checks (thresholds.json) and
how the reference trains for them (training.py)."""
