# db is dZ itself, one row per example, instead of the sum over the batch.
def linear_backward(dZ, X, W):
    dX = dZ @ W.T
    dW = X.T @ dZ
    db = dZ
    return dX, dW, db


EXPECT = {
    "lost": {
        "linear_backward.db": 2,
        "train.accuracy": 5,
        "train.loss-decreases": 2,
    },
    "diagnoses": {
        "linear_backward.db": "linear_backward.db-not-summed",
    },
    "local": "linear_backward.db-not-summed",
}
