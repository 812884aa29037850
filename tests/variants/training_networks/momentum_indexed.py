# Momentum with index loops over layers and over the (W, b) arrays of a layer.
def momentum_step(params, grads, velocity, lr, beta=0.9):
    new_params, new_velocity = [], []
    for i in range(len(params)):
        p_layer, v_layer = [], []
        for j in range(2):
            v = beta * velocity[i][j] - lr * grads[i][j]
            v_layer.append(v)
            p_layer.append(params[i][j] + v)
        new_params.append(tuple(p_layer))
        new_velocity.append(tuple(v_layer))
    return new_params, new_velocity


EXPECT = {"notes": {}}
