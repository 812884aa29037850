# relu_backward that lets the gradient through at a == 0 (mask a >= 0 instead of a > 0).
def relu_backward(dout, a):
    return dout * (a >= 0)


EXPECT = {
    "lost": {
        "relu_backward.at-zero": 1,
    },
    "diagnoses": {
        "relu_backward.at-zero": "relu_backward.ge-zero",
    },
    "local": None,
}
