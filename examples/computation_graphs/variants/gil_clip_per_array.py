# Clipping each array by its own norm instead of all arrays by their global norm.
# The mistake of tests/mutants/computation_graphs/clip_per_array.py.
# %% solution-clip_by_global_norm
import numpy as np


def clip_by_global_norm(grads, max_norm):
    clipped, total = [], 0.0
    for layer in grads:
        new_layer = []
        for g in layer:
            n = np.sqrt(np.sum(g ** 2))
            total += n ** 2
            new_layer.append(g * (max_norm / n) if n > max_norm else g.copy())
        clipped.append(tuple(new_layer))
    return clipped, float(np.sqrt(total))
