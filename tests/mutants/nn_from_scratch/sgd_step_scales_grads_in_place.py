# sgd_step that multiplies the gradients by lr in place before using them.
def sgd_step(params, grads, lr):
    new = []
    for (W, b), (dW, db) in zip(params, grads):
        dW *= lr
        db *= lr
        new.append((W - dW, b - db))
    return new


EXPECT = {
    "lost": {
        "sgd_step.values": 4,
    },
    "diagnoses": {
        "sgd_step.values": "common.input-changed",
    },
    "local": "common.input-changed",
}
