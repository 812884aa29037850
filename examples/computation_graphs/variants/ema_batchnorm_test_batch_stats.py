# Batch norm that normalizes with the statistics of the batch at test time too (the running
# averages come back unchanged); in training it is the notebook's own forward.
# The mistake of tests/mutants/computation_graphs/batchnorm_batch_stats_at_test.py.
# %% solution-batchnorm_forward
import numpy as np

_notebook_forward = batchnorm_forward  # noqa: F821 (the solution's, defined before this cell)


def batchnorm_forward(x, gamma, beta, running_mean, running_var, train, momentum=0.9, eps=1e-5):
    if train:
        return _notebook_forward(x, gamma, beta, running_mean, running_var, train, momentum, eps)
    xhat = (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0) + eps)
    return gamma * xhat + beta, None, running_mean.copy(), running_var.copy()
