# forward with a while loop and an explicit flag for the last layer.
def forward(params, X):
    cache, A, i = [], X, 0
    while i < len(params):
        W, b = params[i]
        Z = linear_forward(A, W, b)
        cache.append((A, Z))
        last = i == len(params) - 1
        A = Z if last else relu_forward(Z)
        i += 1
    return A, cache


EXPECT = {"notes": {}}
