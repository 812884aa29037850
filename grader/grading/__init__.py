"""Grading a submission: the run over a class, one notebook's grade, its result files, limits and run seeds."""
