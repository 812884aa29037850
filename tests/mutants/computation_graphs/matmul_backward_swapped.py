# matmul_backward that returns the two gradients in the wrong order (db, da).
def matmul_backward(dout, a, b):
    return a.T @ dout, dout @ b.T


EXPECT = {
    "lost": {
        "matmul_backward.values": 4,
    },
    "diagnoses": {
        "matmul_backward.values": "matmul_backward.swapped",
    },
    "local": None,
}
