# standardize that returns a namedtuple (a tuple, as the docstring asks).
from collections import namedtuple

Standardized = namedtuple("Standardized", "X mean std")


def standardize(X, mean=None, std=None):
    mean = X.mean(0) if mean is None else mean
    std = X.std(0) if std is None else std
    return Standardized((X - mean) / std, mean, std)


EXPECT = {"notes": {}}
