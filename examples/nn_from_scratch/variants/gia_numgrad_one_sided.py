# The numerical gradient uses the forward difference (f(x + h) - f(x)) / h, not the centered one.
# %% solution-numerical_gradient
def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros(x.shape)
    fx = f(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        grad[i] = (f(x) - fx) / h
        x[i] = old
    return grad
