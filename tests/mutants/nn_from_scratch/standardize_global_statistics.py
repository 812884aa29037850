# standardize with one mean and one std over the whole array instead of one per column.
import numpy as np


def standardize(X, mean=None, std=None):
    if mean is None:
        mean = X.mean()
    if std is None:
        std = X.std()
    return (X - mean) / std, mean, std


EXPECT = {
    "lost": {
        "standardize.fit": 3,
    },
    "diagnoses": {
        "standardize.fit": "standardize.statistics-shape",
    },
    "local": "standardize.statistics-shape",
}
