# ReLU backward lets the gradient through at Z == 0.
def relu_backward(dA, Z):
    return dA * (Z >= 0)


EXPECT = {
    "lost": {
        "relu_backward.at-zero": 2,
    },
    "diagnoses": {
        "relu_backward.at-zero": "relu_backward.ge-zero",
    },
    "local": "relu_backward.ge-zero",
}
