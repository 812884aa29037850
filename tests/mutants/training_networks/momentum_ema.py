# Momentum in its averaging (EMA) form, as many texts write it: v = beta v + (1 - beta) g, p - lr v.
def momentum_step(params, grads, velocity, lr, beta=0.9):
    new_params, new_velocity = [], []
    for (W, b), (dW, db), (vW, vb) in zip(params, grads, velocity):
        vW = beta * vW + (1 - beta) * dW
        vb = beta * vb + (1 - beta) * db
        new_params.append((W - lr * vW, b - lr * vb))
        new_velocity.append((vW, vb))
    return new_params, new_velocity


EXPECT = {
    "lost": {
        "momentum_step.values": 9,
    },
    # Lost on some run seeds only: the training draws decide.
    "maybe": {
        "train.accuracy": 8,
    },
    "diagnoses": {
        "momentum_step.values": "momentum_step.ema-form",
        "train.accuracy": "common.low-accuracy",
    },
    "local": "momentum_step.ema-form",
}
