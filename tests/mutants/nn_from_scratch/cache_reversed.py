# The cache is built back to front (last layer first).
def forward(params, X):
    cache = []
    A = X
    for i, (W, b) in enumerate(params):
        Z = linear_forward(A, W, b)
        cache.insert(0, (A, Z))
        if i < len(params) - 1:
            A = relu_forward(Z)
        else:
            A = Z
    return A, cache


EXPECT = {
    "lost": {
        "forward.cache": 3,
        "train.accuracy": 5,
        "train.loss-decreases": 2,
    },
    "diagnoses": {
        "forward.cache": "forward.cache-reversed",
    },
    "local": "forward.cache-reversed",
}
