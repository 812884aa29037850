# standardize that always computes new statistics, even when mean and std are given.
import numpy as np


def standardize(X, mean=None, std=None):
    mean, std = X.mean(axis=0), X.std(axis=0)
    return (X - mean) / std, mean, std


EXPECT = {
    "lost": {
        "standardize.apply": 2,
    },
    "diagnoses": {
        "standardize.apply": "standardize.ignores-given",
    },
    "local": "standardize.ignores-given",
}
