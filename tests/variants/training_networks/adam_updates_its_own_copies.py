# Adam that copies the state's arrays first and then updates the copies in place (the given
# state stays as it is).
import numpy as np


def adam_step(params, grads, state, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    t = state["t"] + 1
    m = [[a.copy() for a in pair] for pair in state["m"]]
    v = [[a.copy() for a in pair] for pair in state["v"]]
    new_params = []
    for i, (layer, grad) in enumerate(zip(params, grads)):
        updated = []
        for j in range(2):
            m[i][j] *= beta1
            m[i][j] += (1 - beta1) * grad[j]
            v[i][j] *= beta2
            v[i][j] += (1 - beta2) * grad[j] ** 2
            step = (m[i][j] / (1 - beta1 ** t)) / (np.sqrt(v[i][j] / (1 - beta2 ** t)) + eps)
            updated.append(layer[j] - lr * step)
        new_params.append(tuple(updated))
    return new_params, {"t": t, "m": [tuple(p) for p in m], "v": [tuple(p) for p in v]}


EXPECT = {"notes": {}}
