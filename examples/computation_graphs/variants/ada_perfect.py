# A complete, correct notebook: the reference answers, nothing changed.
