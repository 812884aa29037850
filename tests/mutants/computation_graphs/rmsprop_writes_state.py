# RMSprop that updates the state arrays it was given in place (s *= rho; s += ...).
import numpy as np


def rmsprop_step(params, grads, state, lr, rho=0.9, eps=1e-8):
    new_params = []
    for (W, b), (dW, db), (sW, sb) in zip(params, grads, state["s"]):
        for s, g in ((sW, dW), (sb, db)):
            s *= rho
            s += (1 - rho) * g ** 2
        new_params.append((W - lr * dW / (np.sqrt(sW) + eps), b - lr * db / (np.sqrt(sb) + eps)))
    return new_params, state


EXPECT = {
    "lost": {
        "rmsprop_step.values": 5,
    },
    "diagnoses": {
        "rmsprop_step.values": "common.input-changed",
    },
    "local": None,
}
