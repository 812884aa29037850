# Batch norm with np.mean / np.var and the compact backward formula
# dx = (N dxhat - sum dxhat - xhat sum(dxhat xhat)) / (N sqrt(var + eps)); the cache a tuple.
import numpy as np


def batchnorm_forward(x, gamma, beta, running_mean, running_var, train, momentum=0.9, eps=1e-5):
    if not train:
        xhat = (x - running_mean) / np.sqrt(running_var + eps)
        return gamma * xhat + beta, None, running_mean.copy(), running_var.copy()
    mu, var = np.mean(x, axis=0), np.var(x, axis=0)
    std = np.sqrt(var + eps)
    xhat = (x - mu) / std
    new_mean = momentum * running_mean + (1 - momentum) * mu
    new_var = momentum * running_var + (1 - momentum) * var
    return gamma * xhat + beta, (xhat, gamma, std), new_mean, new_var


def batchnorm_backward(dout, cache):
    xhat, gamma, std = cache
    n = dout.shape[0]
    dxhat = dout * gamma
    dx = (n * dxhat - dxhat.sum(axis=0) - xhat * (dxhat * xhat).sum(axis=0)) / (n * std)
    return dx, (dout * xhat).sum(axis=0), dout.sum(axis=0)


EXPECT = {"notes": {}}
