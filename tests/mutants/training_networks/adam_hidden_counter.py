# Adam that counts its steps in a module-level variable instead of the state it is given.
import numpy as np

_adam_steps = [0]


def adam_step(params, grads, state, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    _adam_steps[0] += 1
    t = _adam_steps[0]
    new_params, ms, vs = [], [], []
    for (W, b), (dW, db), (mW, mb), (vW, vb) in zip(params, grads, state["m"], state["v"]):
        mW, mb = beta1 * mW + (1 - beta1) * dW, beta1 * mb + (1 - beta1) * db
        vW, vb = beta2 * vW + (1 - beta2) * dW ** 2, beta2 * vb + (1 - beta2) * db ** 2
        c1, c2 = 1 - beta1 ** t, 1 - beta2 ** t
        new_params.append((W - lr * (mW / c1) / (np.sqrt(vW / c2) + eps),
                           b - lr * (mb / c1) / (np.sqrt(vb / c2) + eps)))
        ms.append((mW, mb))
        vs.append((vW, vb))
    return new_params, {"t": t, "m": ms, "v": vs}


EXPECT = {
    "lost": {
        "adam_step.values": 8,
    },
    "diagnoses": {
        "adam_step.values": "common.hidden-state",
    },
    "local": "common.hidden-state",
}
