# standardize with the population std computed by hand.
import numpy as np


def standardize(X, mean=None, std=None):
    mean = np.sum(X, axis=0) / X.shape[0] if mean is None else mean
    std = np.sqrt(np.mean((X - mean) ** 2, axis=0)) if std is None else std
    return (X - mean) / std, mean, std


EXPECT = {"notes": {}}
