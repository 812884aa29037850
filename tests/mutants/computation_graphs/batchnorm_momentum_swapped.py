# Batch norm whose running averages weigh the batch by momentum and the old average by
# 1 - momentum (the other convention of the same word). The output and the cache are the
# notebook's own forward's, called first.

_notebook_forward = batchnorm_forward  # noqa: F821 (the solution's, defined before this cell)


def batchnorm_forward(x, gamma, beta, running_mean, running_var, train, momentum=0.9, eps=1e-5):
    out, cache, new_mean, new_var = _notebook_forward(x, gamma, beta, running_mean, running_var,
                                                      train, momentum, eps)
    if train:
        new_mean = (1 - momentum) * running_mean + momentum * x.mean(axis=0)
        new_var = (1 - momentum) * running_var + momentum * x.var(axis=0)
    return out, cache, new_mean, new_var


EXPECT = {
    "lost": {
        "batchnorm_forward.train": 5,
    },
    "diagnoses": {
        "batchnorm_forward.train": "batchnorm_forward.momentum-swapped",
    },
    "local": "batchnorm_forward.momentum-swapped",
}
