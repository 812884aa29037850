# backward appends the gradients as it goes, last layer first.
def backward(params, cache, dlogits):
    grads = []
    dZ = dlogits
    for i in range(len(params) - 1, -1, -1):
        dA_prev, dW, db = linear_backward(dZ, cache[i][0], params[i][0])
        grads.append((dW, db))
        if i > 0:
            dZ = relu_backward(dA_prev, cache[i - 1][1])
    return grads


EXPECT = {
    "lost": {
        "backward.deep": 8,
        "train.accuracy": 5,
        "train.loss-decreases": 2,
    },
    "diagnoses": {
        "backward.deep": "backward.grads-reversed",
    },
    "local": "backward.grads-reversed",
}
