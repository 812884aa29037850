# relu_backward that lets the gradient through at a == 0 (mask a >= 0 instead of a > 0).
def relu_backward(dout, a):
    return dout * (a >= 0)


EXPECT = {
    "lost": {
        "relu_backward.values": 2,
    },
    "diagnoses": {
        "relu_backward.values": "relu_backward.ge-zero",
    },
    "local": None,
}
