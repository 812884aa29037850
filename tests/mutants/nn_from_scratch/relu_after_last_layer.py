# ReLU after every layer, the last one included.
def forward(params, X):
    cache = []
    A = X
    for W, b in params:
        Z = linear_forward(A, W, b)
        cache.append((A, Z))
        A = relu_forward(Z)
    return A, cache


EXPECT = {
    "lost": {
        "forward.logits": 5,
    },
    "diagnoses": {
        "forward.logits": "ReLU after the last layer",
    },
}
