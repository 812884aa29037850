# Momentum that moves the parameters with the velocity it was given, then computes the new one.
def momentum_step(params, grads, velocity, lr, beta=0.9):
    new_params = [(W + vW, b + vb) for (W, b), (vW, vb) in zip(params, velocity)]
    new_velocity = [(beta * vW - lr * dW, beta * vb - lr * db)
                    for (dW, db), (vW, vb) in zip(grads, velocity)]
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
        "momentum_step.values": "momentum_step.old-velocity",
        "train.accuracy": "common.low-accuracy",
    },
    "local": "momentum_step.old-velocity",
}
