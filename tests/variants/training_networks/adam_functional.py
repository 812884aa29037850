# Adam written with small helper functions, np.square and np.divide, building the new state as
# a fresh dict.
import numpy as np


def _moments(m, v, g, beta1, beta2):
    return beta1 * m + (1.0 - beta1) * g, beta2 * v + (1.0 - beta2) * np.square(g)


def adam_step(params, grads, state, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    t = state["t"] + 1
    fix1, fix2 = 1.0 - beta1 ** t, 1.0 - beta2 ** t
    out, m_new, v_new = [], [], []
    for (W, b), (dW, db), (mW, mb), (vW, vb) in zip(params, grads, state["m"], state["v"]):
        (mW, vW), (mb, vb) = _moments(mW, vW, dW, beta1, beta2), _moments(mb, vb, db, beta1, beta2)
        out.append(tuple(p - lr * np.divide(m / fix1, np.sqrt(v / fix2) + eps)
                         for p, m, v in ((W, mW, vW), (b, mb, vb))))
        m_new.append((mW, mb))
        v_new.append((vW, vb))
    return out, dict(t=t, m=m_new, v=v_new)


EXPECT = {"notes": {}}
