# tanh backward with Z where tanh(Z) belongs: dA * (1 - Z**2).
def tanh_backward(dA, Z):
    return dA * (1 - Z ** 2)


EXPECT = {
    "lost": {
        "tanh_backward.values": 3,
    },
    "diagnoses": {
        "tanh_backward.values": "tanh_backward.uses-z",
    },
    "local": "tanh_backward.uses-z",
}
