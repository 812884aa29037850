# Momentum without its state: a plain SGD step, the velocity returned unchanged.
def momentum_step(params, grads, velocity, lr, beta=0.9):
    return [(W - lr * dW, b - lr * db) for (W, b), (dW, db) in zip(params, grads)], velocity


EXPECT = {
    "lost": {
        "momentum_step.values": 5,
        "momentum_step.state": 4,
    },
    # Lost on some run seeds only: it depends on the training cases the seed draws.
    "maybe": {
        "train.accuracy": 8,
    },
    "diagnoses": {
        "momentum_step.values": "no velocity state",
        "momentum_step.state": "no velocity state",
    },
}
