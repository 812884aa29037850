# Adam that keeps the bias-corrected moments in its state.
import numpy as np


def adam_step(params, grads, state, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    t = state["t"] + 1
    new_params, ms, vs = [], [], []
    for (W, b), (dW, db), (mW, mb), (vW, vb) in zip(params, grads, state["m"], state["v"]):
        mW = (beta1 * mW + (1 - beta1) * dW) / (1 - beta1 ** t)
        mb = (beta1 * mb + (1 - beta1) * db) / (1 - beta1 ** t)
        vW = (beta2 * vW + (1 - beta2) * dW ** 2) / (1 - beta2 ** t)
        vb = (beta2 * vb + (1 - beta2) * db ** 2) / (1 - beta2 ** t)
        new_params.append((W - lr * mW / (np.sqrt(vW) + eps), b - lr * mb / (np.sqrt(vb) + eps)))
        ms.append((mW, mb))
        vs.append((vW, vb))
    return new_params, {"t": t, "m": ms, "v": vs}


EXPECT = {
    "lost": {
        "adam_step.values": 8,
    },
    # Lost on some run seeds only: the training draws decide.
    "maybe": {
        "train.accuracy": 8,
        "train.loss-decreases": 3,
    },
    "diagnoses": {
        "adam_step.values": "adam_step.hat-stored",
        "train.accuracy": "common.low-accuracy",
        "train.loss-decreases": "common.no-better-than-frequencies",
    },
    "local": "adam_step.hat-stored",
}
