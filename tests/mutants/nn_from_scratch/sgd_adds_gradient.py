# Gradient ascent: the step adds the gradient.
def sgd_step(params, grads, lr):
    new_params = []
    for (W, b), (dW, db) in zip(params, grads):
        new_params.append((W + lr * dW, b + lr * db))
    return new_params


EXPECT = {
    "lost": {
        "sgd_step.values": 4,
        "train.accuracy": 5,
        "train.loss-decreases": 2,
    },
    "diagnoses": {
        "sgd_step.values": "sgd_step.adds-gradient",
        "train.accuracy": "common.low-accuracy",
        "train.loss-decreases": "common.loss-not-reduced",
    },
    "local": "sgd_step.adds-gradient",
}
