# backward that undoes the ReLU with the layer's input A_prev = ReLU(Z_prev): A_prev > 0 exactly
# where Z_prev > 0, so the gradients are the same.
def backward(params, cache, dlogits):
    grads = [None] * len(params)
    dZ = dlogits
    for i in range(len(params) - 1, -1, -1):
        A_prev, _ = cache[i]
        dA_prev, dW, db = linear_backward(dZ, A_prev, params[i][0])
        grads[i] = (dW, db)
        dZ = dA_prev * (A_prev > 0)
    return grads


EXPECT = {"notes": {}}
