# RMSprop that adds the whole new squared gradient to the decayed average (s = rho s + g^2).
import numpy as np


def rmsprop_step(params, grads, state, lr, rho=0.9, eps=1e-8):
    new_params, s = [], []
    for (W, b), (dW, db), (sW, sb) in zip(params, grads, state["s"]):
        sW, sb = rho * sW + dW ** 2, rho * sb + db ** 2
        new_params.append((W - lr * dW / (np.sqrt(sW) + eps), b - lr * db / (np.sqrt(sb) + eps)))
        s.append((sW, sb))
    return new_params, {"s": s}


EXPECT = {
    "lost": {
        "rmsprop_step.values": 5,
    },
    "diagnoses": {
        "rmsprop_step.values": "rmsprop_step.no-one-minus-rho",
    },
    "local": "rmsprop_step.no-one-minus-rho",
}
