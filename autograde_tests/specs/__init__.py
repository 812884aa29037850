"""Spec modules, imported in name order: one per notebook part. Each declares its checks."""
