# dW computed as dZ.T @ X, the transpose of the gradient.
def linear_backward(dZ, X, W):
    return dZ @ W.T, dZ.T @ X, dZ.sum(axis=0)


EXPECT = {
    "lost": {
        "linear_backward.dW": 3,
        "train.accuracy": 5,
        "train.loss-decreases": 2,
    },
    "diagnoses": {
        "linear_backward.dW": "linear_backward.dw-transposed",
    },
    "local": "linear_backward.dw-transposed",
}
