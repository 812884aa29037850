"""The student release: building it, its check.py and README, leak and lint checks, the example classes."""
