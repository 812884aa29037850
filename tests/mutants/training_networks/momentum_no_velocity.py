# Momentum without its state: a plain SGD step, the velocity returned unchanged.
def momentum_step(params, grads, velocity, lr, beta=0.9):
    return [(W - lr * dW, b - lr * db) for (W, b), (dW, db) in zip(params, grads)], velocity


EXPECT = {
    "lost": {
        "momentum_step.values": 9,
    },
    # Lost on some run seeds only: the training draws decide.
    "maybe": {
        "train.accuracy": 8,
    },
    "diagnoses": {
        "momentum_step.values": "momentum_step.no-velocity",
        "train.accuracy": "common.low-accuracy",
    },
    "local": "momentum_step.no-velocity",
}
