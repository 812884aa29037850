# Adam that corrects with the step count it was given (guarded against t = 0), then stores t + 1.
import numpy as np


def adam_step(params, grads, state, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    t = max(state["t"], 1)
    new_params, ms, vs = [], [], []
    for (W, b), (dW, db), (mW, mb), (vW, vb) in zip(params, grads, state["m"], state["v"]):
        pair, m_pair, v_pair = [], [], []
        for p, g, m, v in ((W, dW, mW, vW), (b, db, mb, vb)):
            m = beta1 * m + (1 - beta1) * g
            v = beta2 * v + (1 - beta2) * g ** 2
            pair.append(p - lr * (m / (1 - beta1 ** t)) / (np.sqrt(v / (1 - beta2 ** t)) + eps))
            m_pair.append(m)
            v_pair.append(v)
        new_params.append(tuple(pair))
        ms.append(tuple(m_pair))
        vs.append(tuple(v_pair))
    return new_params, {"t": state["t"] + 1, "m": ms, "v": vs}


EXPECT = {
    "lost": {
        "adam_step.values": 8,
    },
    "diagnoses": {
        "adam_step.values": "adam_step.old-t",
    },
    "local": "adam_step.old-t",
}
