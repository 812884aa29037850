# Clipping with np.linalg.norm of all gradients concatenated into one vector, scaled by
# min(1, max_norm / norm).
import numpy as np


def clip_by_global_norm(grads, max_norm):
    norm = float(np.linalg.norm(np.concatenate([np.ravel(g) for layer in grads for g in layer])))
    scale = min(1.0, max_norm / norm) if norm > 0 else 1.0
    return [tuple(g * scale for g in layer) for layer in grads], norm


EXPECT = {"notes": {}}
