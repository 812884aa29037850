"""The instructor report: the run page, the course page and their plots."""
