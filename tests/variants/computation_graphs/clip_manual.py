# Clipping with the sum of squares added up by hand, array by array; copies when not clipped.
import math


def clip_by_global_norm(grads, max_norm):
    total = 0.0
    for layer in grads:
        for g in layer:
            total += float((g * g).sum())
    norm = math.sqrt(total)
    if norm <= max_norm:
        return [tuple(g.copy() for g in layer) for layer in grads], norm
    return [tuple(g * (max_norm / norm) for g in layer) for layer in grads], norm


EXPECT = {"notes": {}}
