# Momentum whose default beta is 0.99 instead of 0.9 (every update right when beta is given).
def momentum_step(params, grads, velocity, lr, beta=0.99):
    new_params, new_velocity = [], []
    for (W, b), (dW, db), (vW, vb) in zip(params, grads, velocity):
        vW, vb = beta * vW - lr * dW, beta * vb - lr * db
        new_params.append((W + vW, b + vb))
        new_velocity.append((vW, vb))
    return new_params, new_velocity


EXPECT = {
    "lost": {
        "momentum_step.values": 9,
    },
    "diagnoses": {
        "momentum_step.values": "momentum_step.default-beta",
    },
    "local": "momentum_step.default-beta",
}
