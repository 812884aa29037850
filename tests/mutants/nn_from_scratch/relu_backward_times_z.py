# ReLU backward that multiplies by Z instead of the mask.
def relu_backward(dA, Z):
    return dA * Z


EXPECT = {
    "lost": {
        "relu_backward.values": 3,
        "relu_backward.at-zero": 2,
        "train.accuracy": 5,
        "train.loss-decreases": 2,
    },
    "diagnoses": {
        "relu_backward.values": "relu_backward.uses-z",
        "relu_backward.at-zero": "relu_backward.uses-z",
        "train.accuracy": "common.low-accuracy",
        "train.loss-decreases": "common.loss-not-reduced",
    },
    "local": "relu_backward.uses-z",
}
