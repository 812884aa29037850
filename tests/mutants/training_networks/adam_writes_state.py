# Adam that builds new arrays but stores them, and the new t, into the state dict it was given.
import numpy as np


def adam_step(params, grads, state, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    state["t"] = state["t"] + 1
    t = state["t"]
    new_params, ms, vs = [], [], []
    for (W, b), (dW, db), (mW, mb), (vW, vb) in zip(params, grads, state["m"], state["v"]):
        mW, mb = beta1 * mW + (1 - beta1) * dW, beta1 * mb + (1 - beta1) * db
        vW, vb = beta2 * vW + (1 - beta2) * dW ** 2, beta2 * vb + (1 - beta2) * db ** 2
        c1, c2 = 1 - beta1 ** t, 1 - beta2 ** t
        new_params.append((W - lr * (mW / c1) / (np.sqrt(vW / c2) + eps),
                           b - lr * (mb / c1) / (np.sqrt(vb / c2) + eps)))
        ms.append((mW, mb))
        vs.append((vW, vb))
    state["m"], state["v"] = ms, vs
    return new_params, state


EXPECT = {
    "lost": {
        "adam_step.values": 8,
    },
    "diagnoses": {
        "adam_step.values": "common.input-changed",
    },
    "local": "common.input-changed",
}
