# Finished Parts 1 and 2 (data, forward pass, loss, prediction); Parts 3 and 4 are still stubs.
# %% stub solution-linear_backward
# %% stub solution-relu_backward
# %% stub solution-softmax_cross_entropy_backward
# %% stub solution-backward
# %% stub solution-numerical_gradient
# %% stub solution-sgd_step
# %% stub solution-train
