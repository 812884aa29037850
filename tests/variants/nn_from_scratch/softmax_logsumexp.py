# softmax and cross-entropy through log-sum-exp with np.logaddexp.reduce, labels picked with
# np.take_along_axis.
import numpy as np


def softmax(logits):
    return np.exp(logits - np.logaddexp.reduce(logits, axis=1, keepdims=True))


def softmax_cross_entropy(logits, y):
    log_p = logits - np.logaddexp.reduce(logits, axis=1, keepdims=True)
    picked = np.take_along_axis(log_p, np.asarray(y, dtype=np.intp)[:, None], axis=1)
    return float(-picked.mean())


EXPECT = {"notes": {}}
