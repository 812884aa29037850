# Batch norm that normalizes with the biased batch variance but updates the running variance with
# the unbiased one (ddof=1), where the notebook's running average takes the biased batch variance.
# Everything else is the notebook's own forward, called first.

_notebook_forward = batchnorm_forward  # noqa: F821 (the solution's, defined before this cell)


def batchnorm_forward(x, gamma, beta, running_mean, running_var, train, momentum=0.9, eps=1e-5):
    out, cache, new_mean, new_var = _notebook_forward(x, gamma, beta, running_mean, running_var,
                                                      train, momentum, eps)
    if train:
        new_var = momentum * running_var + (1 - momentum) * x.var(axis=0, ddof=1)
    return out, cache, new_mean, new_var


EXPECT = {
    "lost": {
        "batchnorm_forward.train": 5,
    },
    "diagnoses": {},
    "local": None,
}
