# Momentum with the wrong sign: the velocity accumulates +lr * g and is added, so it climbs.
# %% solution-momentum_step
def momentum_step(params, grads, velocity, lr, beta=0.9):
    new_params, new_velocity = [], []
    for (W, b), (dW, db), (vW, vb) in zip(params, grads, velocity):
        vW, vb = beta * vW + lr * dW, beta * vb + lr * db
        new_params.append((W + vW, b + vb))
        new_velocity.append((vW, vb))
    return new_params, new_velocity
