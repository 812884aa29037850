# RMSprop that weighs the old average by 1 - rho and the new squared gradient by rho.
import numpy as np


def rmsprop_step(params, grads, state, lr, rho=0.9, eps=1e-8):
    new_params, s = [], []
    for (W, b), (dW, db), (sW, sb) in zip(params, grads, state["s"]):
        sW, sb = (1 - rho) * sW + rho * dW ** 2, (1 - rho) * sb + rho * db ** 2
        new_params.append((W - lr * dW / (np.sqrt(sW) + eps), b - lr * db / (np.sqrt(sb) + eps)))
        s.append((sW, sb))
    return new_params, {"s": s}


EXPECT = {
    "lost": {
        "rmsprop_step.values": 5,
    },
    "diagnoses": {
        "rmsprop_step.values": "rmsprop_step.rho-swapped",
    },
    "local": None,
}
