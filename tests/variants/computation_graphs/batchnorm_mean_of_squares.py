# Batch norm with the variance as an explicit mean of squared deviations, the running averages
# written as running + (1 - momentum) * (batch - running), and the backward by the step-by-step
# chain rule through var and mu; the cache a dict.
import numpy as np


def batchnorm_forward(x, gamma, beta, running_mean, running_var, train, momentum=0.9, eps=1e-5):
    if train:
        mu = x.sum(axis=0) / x.shape[0]
        d = x - mu
        var = (d * d).sum(axis=0) / x.shape[0]
        inv = 1.0 / np.sqrt(var + eps)
        out = gamma * (d * inv) + beta
        cache = {"d": d, "inv": inv, "gamma": gamma}
        return (out, cache, running_mean + (1 - momentum) * (mu - running_mean),
                running_var + (1 - momentum) * (var - running_var))
    out = gamma * (x - running_mean) / np.sqrt(running_var + eps) + beta
    return out, None, np.copy(running_mean), np.copy(running_var)


def batchnorm_backward(dout, cache):
    d, inv, gamma = cache["d"], cache["inv"], cache["gamma"]
    n = d.shape[0]
    xhat = d * inv
    dxhat = dout * gamma
    dvar = np.sum(dxhat * d, axis=0) * -0.5 * inv ** 3
    dmu = -np.sum(dxhat, axis=0) * inv - 2.0 * dvar * np.mean(d, axis=0)
    dx = dxhat * inv + dvar * 2.0 * d / n + dmu / n
    return dx, np.sum(dout * xhat, axis=0), np.sum(dout, axis=0)


EXPECT = {"notes": {}}
