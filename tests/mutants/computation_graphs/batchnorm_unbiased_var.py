# Batch norm with the unbiased batch variance (ddof=1) for the normalization and the running
# average, where batch norm uses the biased one (divide by N). Its cache has the notebook's
# layout (x_hat, gamma, std), so the notebook's backward runs on it.
import numpy as np


def batchnorm_forward(x, gamma, beta, running_mean, running_var, train, momentum=0.9, eps=1e-5):
    if not train:
        x_hat = (x - running_mean) / np.sqrt(running_var + eps)
        return gamma * x_hat + beta, None, running_mean.copy(), running_var.copy()
    mean, var = x.mean(axis=0), x.var(axis=0, ddof=1)
    std = np.sqrt(var + eps)
    x_hat = (x - mean) / std
    return (gamma * x_hat + beta, (x_hat, gamma, std), momentum * running_mean + (1 - momentum) * mean,
            momentum * running_var + (1 - momentum) * var)


EXPECT = {
    "lost": {
        "batchnorm_forward.train": 5,
        "batchnorm_backward.values": 7,
    },
    "diagnoses": {
        "batchnorm_forward.train": "batchnorm_forward.unbiased-var",
    },
    "local": "batchnorm_forward.unbiased-var",
}
