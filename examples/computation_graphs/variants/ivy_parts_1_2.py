# Finished Parts 1 and 2 (the autograd and the MLP with loss.backward()); batch norm and the
# optimizers of Part 4 are still stubs.
# %% stub solution-batchnorm_forward
# %% stub solution-batchnorm_backward
# %% stub solution-nesterov_step
# %% stub solution-adagrad_step
# %% stub solution-rmsprop_step
# %% stub solution-clip_by_global_norm
# %% stub solution-l1_penalty
# %% stub solution-l1_gradient
