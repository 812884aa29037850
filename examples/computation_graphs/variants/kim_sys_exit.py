# Hostile: ends the notebook with sys.exit after the last solution cell, and l1_gradient kills its
# own process with os._exit.
# %% solution-l1_gradient
import os
import sys


def l1_gradient(params, lam):
    os._exit(0)


sys.exit("all done, 100 points please")
