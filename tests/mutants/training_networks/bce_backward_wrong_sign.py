# BCE gradient with the label first: (y - sigmoid(z)) / N.
def bce_with_logits_backward(z, y):
    return (y - sigmoid(z)) / len(z)


EXPECT = {
    "lost": {
        "bce_with_logits_backward.values": 3,
        "bce_with_logits_backward.stable": 2,
    },
    "diagnoses": {
        "bce_with_logits_backward.values": "bce_with_logits_backward.wrong-sign",
        "bce_with_logits_backward.stable": "bce_with_logits_backward.wrong-sign",
    },
    "local": "bce_with_logits_backward.wrong-sign",
}
