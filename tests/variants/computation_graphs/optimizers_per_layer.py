# Nesterov, AdaGrad and RMSprop written per layer, W and b unpacked by name; Nesterov expanded to
# p - lr (1 + beta) g + beta^2 v, the same step as p + beta v_new - lr g.
import numpy as np


def nesterov_step(params, grads, velocity, lr, beta=0.9):
    new_params, new_velocity = [], []
    for (W, b), (dW, db), (vW, vb) in zip(params, grads, velocity):
        new_params.append((W - lr * (1 + beta) * dW + beta ** 2 * vW,
                           b - lr * (1 + beta) * db + beta ** 2 * vb))
        new_velocity.append((beta * vW - lr * dW, beta * vb - lr * db))
    return new_params, new_velocity


def adagrad_step(params, grads, state, lr, eps=1e-8):
    new_params, G = [], []
    for (W, b), (dW, db), (GW, Gb) in zip(params, grads, state["G"]):
        GW, Gb = GW + dW * dW, Gb + db * db
        new_params.append((W - lr * dW / (np.sqrt(GW) + eps), b - lr * db / (np.sqrt(Gb) + eps)))
        G.append((GW, Gb))
    return new_params, {"G": G}


def rmsprop_step(params, grads, state, lr, rho=0.9, eps=1e-8):
    new_params, s = [], []
    for (W, b), (dW, db), (sW, sb) in zip(params, grads, state["s"]):
        sW, sb = rho * sW + (1 - rho) * dW * dW, rho * sb + (1 - rho) * db * db
        new_params.append((W - lr * dW / (np.sqrt(sW) + eps), b - lr * db / (np.sqrt(sb) + eps)))
        s.append((sW, sb))
    return new_params, {"s": s}


EXPECT = {"notes": {}}
