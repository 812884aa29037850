# standardize changes the caller's array with in-place operators.
def standardize(X, mean=None, std=None):
    if mean is None:
        mean = X.mean(axis=0)
    if std is None:
        std = X.std(axis=0)
    X -= mean
    X /= std
    return X, mean, std


EXPECT = {
    "lost": {
        "standardize.fit": 3,
        "standardize.apply": 2,
    },
    "diagnoses": {
        "standardize.fit": "common.input-changed",
        "standardize.apply": "common.input-changed",
    },
    "local": "common.input-changed",
}
