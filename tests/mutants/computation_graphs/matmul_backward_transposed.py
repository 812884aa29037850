# matmul_backward with both gradients transposed: b @ dout.T (k, N) and dout.T @ a (m, k).
def matmul_backward(dout, a, b):
    return b @ dout.T, dout.T @ a


EXPECT = {
    "lost": {
        "matmul_backward.values": 4,
    },
    "diagnoses": {
        "matmul_backward.values": "matmul_backward.transposed",
    },
    "local": None,
}
