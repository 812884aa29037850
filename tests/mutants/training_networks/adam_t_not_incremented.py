# Adam that corrects with the old step count and never advances it.
import numpy as np


def adam_step(params, grads, state, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    t = max(state["t"], 1)
    new_params, ms, vs = [], [], []
    for (W, b), (dW, db), (mW, mb), (vW, vb) in zip(params, grads, state["m"], state["v"]):
        layer, m_layer, v_layer = [], [], []
        for p, g, m, v in ((W, dW, mW, vW), (b, db, mb, vb)):
            m = beta1 * m + (1 - beta1) * g
            v = beta2 * v + (1 - beta2) * g ** 2
            layer.append(p - lr * (m / (1 - beta1 ** t)) / (np.sqrt(v / (1 - beta2 ** t)) + eps))
            m_layer.append(m)
            v_layer.append(v)
        new_params.append(tuple(layer))
        ms.append(tuple(m_layer))
        vs.append(tuple(v_layer))
    return new_params, {"t": state["t"], "m": ms, "v": vs}


EXPECT = {
    "lost": {
        "adam_step.values": 8,
    },
    "diagnoses": {
        "adam_step.values": "adam_step.t-not-advanced",
    },
    "local": "adam_step.t-not-advanced",
}
