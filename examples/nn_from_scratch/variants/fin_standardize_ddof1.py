# Standardization with the sample standard deviation (ddof=1) instead of the population one.
# %% solution-standardize
def standardize(X, mean=None, std=None):
    if mean is None:
        mean = X.mean(axis=0)
    if std is None:
        std = X.std(axis=0, ddof=1)
    return (X - mean) / std, mean, std
