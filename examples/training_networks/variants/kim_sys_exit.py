# Hostile: ends the notebook with sys.exit after the training cell, and tanh_backward kills its
# own process with os._exit.
# %% solution-tanh_backward
import os


def tanh_backward(dA, Z):
    os._exit(0)
# %% solution-train
import sys

sys.exit("all done, 100 points please")
