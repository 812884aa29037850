# predict returns the labels as floats instead of integers.
import numpy as np


def predict(params, X):
    logits, _ = forward(params, X)
    return np.argmax(logits, axis=1).astype(float)


EXPECT = {
    "lost": {
        "predict.values": 3,
    },
    "diagnoses": {
        "predict.values": "predict.float-labels",
    },
    "local": "predict.float-labels",
}
