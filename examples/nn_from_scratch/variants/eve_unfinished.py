# Stopped in the middle of Part 3: the layer backward passes are done, the rest is a stub.
# %% stub solution-backward
# %% stub solution-numerical_gradient
# %% stub solution-sgd_step
# %% stub solution-train
