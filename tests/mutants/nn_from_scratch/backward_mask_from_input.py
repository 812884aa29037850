# backward undoes the ReLU with the previous layer's input instead of its Z.
def backward(params, cache, dlogits):
    grads = [None] * len(params)
    dZ = dlogits
    for i in reversed(range(len(params))):
        dA_prev, dW, db = linear_backward(dZ, cache[i][0], params[i][0])
        grads[i] = (dW, db)
        if i > 0:
            dZ = relu_backward(dA_prev, cache[i - 1][0])
    return grads


EXPECT = {
    "lost": {
        "backward.deep": 8,
        "train.accuracy": 5,
        "train.loss-decreases": 2,
    },
    "diagnoses": {
        "backward.deep": "backward.mask-from-input",
    },
    "local": "backward.mask-from-input",
}
