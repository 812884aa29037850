# Hostile: rmsprop_step keeps allocating until memory runs out.
# %% solution-rmsprop_step
def rmsprop_step(params, grads, state, lr, rho=0.9, eps=1e-8):
    hoard = []
    while True:
        hoard.append(np.ones(1 << 24))
