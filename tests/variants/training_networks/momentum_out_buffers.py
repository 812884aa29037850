# Momentum with NumPy's out= into freshly allocated buffers (never into the arrays it is given).
import numpy as np


def momentum_step(params, grads, velocity, lr, beta=0.9):
    new_params, new_velocity = [], []
    for layer, grad, vel in zip(params, grads, velocity):
        p_out, v_out = [], []
        for p, g, v in zip(layer, grad, vel):
            v_new = np.empty_like(v)
            np.multiply(beta, v, out=v_new)
            v_new -= lr * g
            p_out.append(np.add(p, v_new))
            v_out.append(v_new)
        new_params.append(tuple(p_out))
        new_velocity.append(tuple(v_out))
    return new_params, new_velocity


EXPECT = {"notes": {}}
