# ELU backward with the slope 1 at Z == 0 (the gradient there is alpha).
# %% solution-elu_backward
def elu_backward(dA, Z, alpha=1.0):
    return dA * np.where(Z >= 0, 1.0, alpha * np.exp(np.minimum(Z, 0)))
