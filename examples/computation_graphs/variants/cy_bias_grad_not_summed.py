# add_backward that hands dout to both inputs as it is: a bias (d,) added to a batch (N, d)
# gets an (N, d) gradient instead of its sum over the batch.
# The mistake of tests/mutants/computation_graphs/add_backward_not_unbroadcast.py.
# %% solution-add_backward
import numpy as np


def add_backward(dout, a, b):
    return np.array(dout, copy=True), np.array(dout, copy=True)
