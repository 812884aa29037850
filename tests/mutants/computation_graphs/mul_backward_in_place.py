# mul_backward that scales the upstream gradient in place (dout *= b) to save an array.
def mul_backward(dout, a, b):
    da = unbroadcast(dout * b, a.shape)
    dout *= a
    return da, unbroadcast(dout, b.shape)


EXPECT = {
    "lost": {
        "mul_backward.values": 3,
    },
    "diagnoses": {
        "mul_backward.values": "common.input-changed",
    },
    "local": None,
}
