# numerical_gradient leaves x changed: it never puts the original value back.
import numpy as np


def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros(x.shape)
    for i in np.ndindex(*x.shape):
        old = x[i]
        x[i] = old + h
        plus = f(x)
        x[i] = old - h
        minus = f(x)
        grad[i] = (plus - minus) / (2 * h)
    return grad


EXPECT = {
    "lost": {
        "numerical_gradient.restores": 2,
    },
    "diagnoses": {
        "numerical_gradient.restores": "numerical_gradient.not-restored",
    },
    "local": "numerical_gradient.not-restored",
}
