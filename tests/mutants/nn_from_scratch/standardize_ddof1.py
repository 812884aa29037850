# Sample standard deviation (ddof=1) instead of the population one.
import numpy as np


def standardize(X, mean=None, std=None):
    if mean is None:
        mean = np.mean(X, axis=0)
    if std is None:
        std = np.std(X, axis=0, ddof=1)
    return (X - mean) / std, mean, std


EXPECT = {
    "lost": {
        "standardize.fit": 3,
    },
    "diagnoses": {
        "standardize.fit": "standardize.sample-std",
    },
    "local": "standardize.sample-std",
}
