# backward applies the ReLU mask of the wrong layer: after linear layer i it uses that layer's
# own Z instead of the Z of the layer before it (cache[i - 1]).
import numpy as np


def backward(params, cache, dlogits):
    grads = [None] * len(params)
    dZ = dlogits
    for i in reversed(range(len(params))):
        W, _ = params[i]
        A_prev, _ = cache[i]
        dA_prev, dW, db = linear_backward(dZ, A_prev, W)
        grads[i] = (dW, db)
        if i > 0:
            dZ = relu_backward(dA_prev, cache[i][1])
    return grads


EXPECT = {
    "lost": {
        "backward.deep": 8,
        "train.accuracy": 5,
        "train.loss-decreases": 2,
    },
    "diagnoses": {
        "backward.deep": "backward.wrong-layer-z",
    },
    "local": "backward.wrong-layer-z",
}
