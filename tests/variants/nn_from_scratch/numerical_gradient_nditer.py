# numerical_gradient with np.nditer and a flat view.
import numpy as np


def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros_like(x, dtype=float)
    it = np.nditer(x, flags=["multi_index"])
    while not it.finished:
        idx = it.multi_index
        saved = float(x[idx])
        x[idx] = saved + h
        fp = f(x)
        x[idx] = saved - h
        fm = f(x)
        x[idx] = saved
        grad[idx] = (fp - fm) / (2 * h)
        it.iternext()
    return grad


EXPECT = {"notes": {}}
