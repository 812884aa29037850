# Cache entries stored as (Z, A_prev) instead of (A_prev, Z).
def forward(params, X):
    cache = []
    A = X
    n = len(params)
    for i in range(n):
        W, b = params[i]
        Z = linear_forward(A, W, b)
        cache.append((Z, A))
        A = relu_forward(Z) if i < n - 1 else Z
    return A, cache


EXPECT = {
    "lost": {
        "forward.cache": 3,
        "train.accuracy": 5,
        "train.loss-decreases": 2,
    },
    "diagnoses": {
        "forward.cache": "forward.cache-z-first",
    },
    "local": "forward.cache-z-first",
}
