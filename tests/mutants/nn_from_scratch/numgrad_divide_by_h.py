# Centered difference divided by h instead of 2h.
import numpy as np


def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros(x.shape)
    for idx in np.ndindex(x.shape):
        old = x[idx]
        x[idx] = old + h
        fp = f(x)
        x[idx] = old - h
        fm = f(x)
        x[idx] = old
        grad[idx] = (fp - fm) / h
    return grad


EXPECT = {
    "lost": {
        "numerical_gradient.values": 3,
    },
    "diagnoses": {
        "numerical_gradient.values": "numerical_gradient.divided-by-h",
    },
    "local": "numerical_gradient.divided-by-h",
}
