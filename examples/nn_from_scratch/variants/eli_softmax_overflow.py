# Softmax without subtracting the row maximum: exp overflows for large logits.
# %% solution-softmax
def softmax(logits):
    e = np.exp(logits)
    return e / e.sum(axis=1, keepdims=True)
