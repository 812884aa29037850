# BCE gradient without the 1/N of the mean.
def bce_with_logits_backward(z, y):
    return sigmoid(z) - y


EXPECT = {
    "lost": {
        "bce_with_logits_backward.values": 3,
        "bce_with_logits_backward.stable": 2,
    },
    "diagnoses": {
        "bce_with_logits_backward.values": "bce_with_logits_backward.missing-1-over-n",
        "bce_with_logits_backward.stable": "bce_with_logits_backward.missing-1-over-n",
    },
    "local": "bce_with_logits_backward.missing-1-over-n",
}
