# Stopped in the middle of Part 4: momentum is done, Adam and the training loop are stubs.
# %% stub solution-adam_step
# %% stub solution-train
