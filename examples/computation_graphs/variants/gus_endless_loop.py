# Hostile (or just unlucky): clipping shrinks the gradients in a loop whose condition never
# changes, so it never returns when the norm is above max_norm.
# %% solution-clip_by_global_norm
def clip_by_global_norm(grads, max_norm):
    norm = float(np.sqrt(sum(np.sum(g ** 2) for layer in grads for g in layer)))
    scale = 1.0
    while norm * scale > max_norm:
        scale = scale * 1.0
    return [tuple(g * scale for g in layer) for layer in grads], norm
