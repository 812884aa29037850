# Forward difference (f(x + h) - f(x)) / h instead of the centered one.
import numpy as np


def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros_like(x, dtype=float)
    fx = f(x)
    it = np.nditer(x, flags=["multi_index"])
    while not it.finished:
        i = it.multi_index
        old = x[i]
        x[i] = old + h
        grad[i] = (f(x) - fx) / h
        x[i] = old
        it.iternext()
    return grad


EXPECT = {
    "lost": {
        "numerical_gradient.values": 3,
    },
    "diagnoses": {
        "numerical_gradient.values": "numerical_gradient.one-sided",
    },
    "local": "numerical_gradient.one-sided",
}
