# Stopped in the middle of Part 4: Nesterov and AdaGrad are done, RMSprop, clipping and L1 are
# stubs.
# %% stub solution-rmsprop_step
# %% stub solution-clip_by_global_norm
# %% stub solution-l1_penalty
# %% stub solution-l1_gradient
