# Hostile: ends the notebook with sys.exit after the training cell, and sgd_step kills its own
# process with os._exit.
# %% solution-sgd_step
import os


def sgd_step(params, grads, lr):
    os._exit(0)
# %% solution-train
import sys

sys.exit("all done, 100 points please")
