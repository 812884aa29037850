# "Nesterov" that is plain momentum: p + v_new, without the look-ahead beta * v_new - lr * g.
# The mistake of tests/mutants/computation_graphs/nesterov_plain_momentum.py.
# %% solution-nesterov_step
def nesterov_step(params, grads, velocity, lr, beta=0.9):
    new_params, new_velocity = [], []
    for (W, b), (dW, db), (vW, vb) in zip(params, grads, velocity):
        vW, vb = beta * vW - lr * dW, beta * vb - lr * db
        new_params.append((W + vW, b + vb))
        new_velocity.append((vW, vb))
    return new_params, new_velocity
