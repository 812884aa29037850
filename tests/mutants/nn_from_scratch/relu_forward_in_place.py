# relu_forward zeroes the negative entries of its input array itself.
def relu_forward(Z):
    Z[Z < 0] = 0
    return Z


EXPECT = {
    "lost": {
        "relu_forward.values": 3,
    },
    "diagnoses": {
        "relu_forward.values": "common.input-changed",
    },
    "local": "common.input-changed",
}
