# The loss is a mean, but its gradient is not divided by the batch size.
import numpy as np


def softmax_cross_entropy_backward(logits, y):
    dlogits = softmax(logits)
    dlogits[np.arange(len(y)), y] -= 1
    return dlogits


EXPECT = {
    "lost": {
        "softmax_cross_entropy_backward.values": 5,
        "softmax_cross_entropy_backward.stable": 2,
        "train.accuracy": 5,
    },
    # A gradient N times too large is a learning rate N times too large: the short training of
    # the loss check sometimes ends no better than predicting the class frequencies (run seed 19).
    "maybe": {
        "train.loss-decreases": 2,
    },
    "diagnoses": {
        "softmax_cross_entropy_backward.values": "softmax_cross_entropy_backward.missing-1-over-n",
        "softmax_cross_entropy_backward.stable": "softmax_cross_entropy_backward.missing-1-over-n",
        "train.accuracy": "common.low-accuracy",
        "train.loss-decreases": "common.no-better-than-frequencies",
    },
    "local": "softmax_cross_entropy_backward.missing-1-over-n",
}
