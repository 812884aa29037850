# predict returns the logits (one score per class) instead of the labels.
def predict(params, X):
    logits, _ = forward(params, X)
    return logits


EXPECT = {
    "lost": {
        "predict.values": 3,
    },
    "diagnoses": {
        "predict.values": "predict.scores",
    },
    "local": "predict.scores",
}
