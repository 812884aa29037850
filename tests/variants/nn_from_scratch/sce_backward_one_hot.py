# The softmax cross-entropy gradient with an identity-matrix one-hot.
import numpy as np


def softmax_cross_entropy_backward(logits, y):
    onehot = np.eye(logits.shape[1])[y]
    return (softmax(logits) - onehot) / logits.shape[0]


EXPECT = {"notes": {}}
