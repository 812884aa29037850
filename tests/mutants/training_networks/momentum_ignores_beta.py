# Momentum with beta fixed at 0.9, whatever beta it is given.
def momentum_step(params, grads, velocity, lr, beta=0.9):
    out_p, out_v = [], []
    for (W, b), (dW, db), (vW, vb) in zip(params, grads, velocity):
        vW, vb = 0.9 * vW - lr * dW, 0.9 * vb - lr * db
        out_p.append((W + vW, b + vb))
        out_v.append((vW, vb))
    return out_p, out_v


EXPECT = {
    "lost": {
        "momentum_step.values": 9,
    },
    "diagnoses": {
        "momentum_step.values": "momentum_step.fixed-beta",
    },
    "local": "momentum_step.fixed-beta",
}
