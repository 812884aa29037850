# Finished Parts 1 and 2 (activations and losses); Parts 3 to 5 are still stubs.
# %% stub solution-init_params
# %% stub solution-dropout_forward
# %% stub solution-dropout_backward
# %% stub solution-l2_penalty
# %% stub solution-l2_gradient
# %% stub solution-momentum_step
# %% stub solution-adam_step
# %% stub solution-train
