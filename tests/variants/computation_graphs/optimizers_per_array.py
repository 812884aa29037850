# Nesterov, AdaGrad and RMSprop written once per array and mapped over every (W, b) of every layer.
import numpy as np


def _map(rule, *lists):
    out = [[], []]
    for layer in zip(*lists):
        pairs = [rule(*arrays) for arrays in zip(*layer)]
        out[0].append(tuple(p for p, _ in pairs))
        out[1].append(tuple(s for _, s in pairs))
    return out


def nesterov_step(params, grads, velocity, lr, beta=0.9):
    def rule(p, g, v):
        v_new = beta * v - lr * g
        return p + beta * v_new - lr * g, v_new
    return tuple(_map(rule, params, grads, velocity))


def adagrad_step(params, grads, state, lr, eps=1e-8):
    def rule(p, g, G):
        G_new = G + g ** 2
        return p - lr * g / (np.sqrt(G_new) + eps), G_new
    new_params, G = _map(rule, params, grads, state["G"])
    return new_params, {"G": G}


def rmsprop_step(params, grads, state, lr, rho=0.9, eps=1e-8):
    def rule(p, g, s):
        s_new = rho * s + (1 - rho) * g ** 2
        return p - lr * g / (np.sqrt(s_new) + eps), s_new
    new_params, s = _map(rule, params, grads, state["s"])
    return new_params, {"s": s}


EXPECT = {"notes": {}}
