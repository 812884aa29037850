# db averaged over the batch instead of summed.
def linear_backward(dZ, X, W):
    dX = dZ @ W.T
    dW = X.T @ dZ
    db = dZ.mean(axis=0)
    return dX, dW, db


EXPECT = {
    "lost": {
        "linear_backward.db": 2,
        "train.accuracy": 5,
    },
    "diagnoses": {
        "linear_backward.db": "linear_backward.db-averaged",
        "train.accuracy": "common.low-accuracy",
    },
    "local": "linear_backward.db-averaged",
}
