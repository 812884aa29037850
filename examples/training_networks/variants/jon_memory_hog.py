# Hostile: dropout_backward keeps allocating until memory runs out.
# %% solution-dropout_backward
def dropout_backward(dOut, mask):
    hoard = []
    while True:
        hoard.append(np.ones(1 << 24))
