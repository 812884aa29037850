# Adam whose bias correction divides by (1 - beta1) and (1 - beta2) instead of (1 - beta**t).
import numpy as np


def adam_step(params, grads, state, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    t = state["t"] + 1
    new_params, ms, vs = [], [], []
    for (W, b), (dW, db), (mW, mb), (vW, vb) in zip(params, grads, state["m"], state["v"]):
        mW, mb = beta1 * mW + (1 - beta1) * dW, beta1 * mb + (1 - beta1) * db
        vW, vb = beta2 * vW + (1 - beta2) * dW ** 2, beta2 * vb + (1 - beta2) * db ** 2
        new_params.append((W - lr * (mW / (1 - beta1)) / (np.sqrt(vW / (1 - beta2)) + eps),
                           b - lr * (mb / (1 - beta1)) / (np.sqrt(vb / (1 - beta2)) + eps)))
        ms.append((mW, mb))
        vs.append((vW, vb))
    return new_params, {"t": t, "m": ms, "v": vs}


EXPECT = {
    "lost": {
        "adam_step.values": 8,
    },
    "diagnoses": {
        "adam_step.values": "adam_step.one-minus-beta",
    },
    "local": "adam_step.one-minus-beta",
}
