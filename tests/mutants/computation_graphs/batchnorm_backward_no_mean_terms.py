# Batch-norm backward that treats the batch mean and variance as constants: dx = gamma * dout /
# sqrt(var + eps), without the terms through mu and var.
import numpy as np


def batchnorm_forward(x, gamma, beta, running_mean, running_var, train, momentum=0.9, eps=1e-5):
    if not train:
        xhat = (x - running_mean) / np.sqrt(running_var + eps)
        return gamma * xhat + beta, None, running_mean.copy(), running_var.copy()
    mu, var = x.mean(axis=0), x.var(axis=0)
    std = np.sqrt(var + eps)
    xhat = (x - mu) / std
    return (gamma * xhat + beta, (xhat, gamma, std), momentum * running_mean + (1 - momentum) * mu,
            momentum * running_var + (1 - momentum) * var)


def batchnorm_backward(dout, cache):
    xhat, gamma, std = cache
    return dout * gamma / std, (dout * xhat).sum(axis=0), dout.sum(axis=0)


EXPECT = {
    "lost": {
        "batchnorm_backward.gradients": 5,
    },
    "diagnoses": {
        "batchnorm_backward.gradients": "batchnorm_backward.no-mean-terms",
    },
    "local": {"batchnorm_forward": None, "batchnorm_backward": "batchnorm_backward.no-mean-terms"},
}
