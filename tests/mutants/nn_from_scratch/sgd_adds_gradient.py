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
        "sgd_step.values": "adds the gradient",
        "train.accuracy": "training does not learn",
        "train.loss-decreases": "training does not learn",
    },
}
