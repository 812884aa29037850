# Batch norm that normalizes with the statistics of the batch at test time too (the running
# averages come back unchanged); in training it is the notebook's own forward.
import numpy as np

_notebook_forward = batchnorm_forward  # noqa: F821 (the solution's, defined before this cell)


def batchnorm_forward(x, gamma, beta, running_mean, running_var, train, momentum=0.9, eps=1e-5):
    if train:
        return _notebook_forward(x, gamma, beta, running_mean, running_var, train, momentum, eps)
    xhat = (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0) + eps)
    return gamma * xhat + beta, None, running_mean.copy(), running_var.copy()


EXPECT = {
    "lost": {
        "batchnorm_forward.test": 3,
    },
    "diagnoses": {
        "batchnorm_forward.test": "batchnorm_forward.batch-stats-at-test",
    },
    "local": "batchnorm_forward.batch-stats-at-test",
}
