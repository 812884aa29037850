"""Everything the grader needs of the assignment `computation_graphs` besides its source notebook:
the hidden tests (specs/). It has no training check, so no thresholds.json: its experiments are
demonstrations, never graded (docs/assignments/computation_graphs.md)."""
