# forward stores the ReLU output of every hidden layer in the cache instead of its Z.
def forward(params, X):
    cache, A = [], X
    for i, (W, b) in enumerate(params):
        Z = linear_forward(A, W, b)
        A_next = relu_forward(Z) if i < len(params) - 1 else Z
        cache.append((A, A_next))
        A = A_next
    return A, cache


EXPECT = {
    "lost": {
        "forward.cache": 3,
    },
    "diagnoses": {
        "forward.cache": "forward.cache-activations",
    },
    "local": "forward.cache-activations",
}
