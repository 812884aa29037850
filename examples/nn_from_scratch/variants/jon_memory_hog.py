# Hostile: predict keeps allocating until memory runs out.
# %% solution-predict
def predict(params, X):
    hoard = []
    while True:
        hoard.append(np.ones(1 << 24))
