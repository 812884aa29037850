# sgd_step with an index loop and np.subtract.
import numpy as np


def sgd_step(params, grads, lr):
    out = []
    for k in range(len(params)):
        out.append(tuple(np.subtract(p, lr * g) for p, g in zip(params[k], grads[k])))
    return out


EXPECT = {"notes": {}}
