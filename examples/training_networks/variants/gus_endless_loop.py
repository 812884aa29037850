# Hostile (or just unlucky): mse never returns.
# %% solution-mse
def mse(y_pred, y):
    while True:
        pass
