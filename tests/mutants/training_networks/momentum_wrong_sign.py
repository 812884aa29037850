# Momentum that climbs: v = beta v + lr g, p + v.
def momentum_step(params, grads, velocity, lr, beta=0.9):
    new_params, new_velocity = [], []
    for (W, b), (dW, db), (vW, vb) in zip(params, grads, velocity):
        vW, vb = beta * vW + lr * dW, beta * vb + lr * db
        new_params.append((W + vW, b + vb))
        new_velocity.append((vW, vb))
    return new_params, new_velocity


EXPECT = {
    "lost": {
        "momentum_step.values": 9,
        "train.accuracy": 8,
    },
    "diagnoses": {
        "momentum_step.values": "momentum_step.ascends",
        "train.accuracy": "common.low-accuracy",
    },
    "local": "momentum_step.ascends",
}
