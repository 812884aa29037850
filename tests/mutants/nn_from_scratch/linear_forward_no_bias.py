# The linear layer without its bias.
def linear_forward(X, W, b):
    return X @ W


EXPECT = {
    "lost": {
        "linear_forward.values": 5,
        "train.accuracy": 5,
        "train.loss-decreases": 2,
    },
    "diagnoses": {
        "linear_forward.values": "linear_forward.bias-missing",
        "train.accuracy": "common.low-accuracy",
        "train.loss-decreases": "common.no-better-than-frequencies",
    },
    "local": "linear_forward.bias-missing",
}
