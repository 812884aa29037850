"""nnkit grader: release, check and auto-grade the NumPy neural-network assignment."""

__version__ = "0.1.0"
