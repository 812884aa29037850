# Hostile (or just unlucky): accuracy never returns.
# %% solution-accuracy
def accuracy(y_pred, y):
    while True:
        pass
