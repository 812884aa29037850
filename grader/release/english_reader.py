"""Reading a text for English left in another language's release (docs/translating.md): the
tests run it over every markdown cell, docstring, comment and README of a German release, and
over the English release to show that it is not blind.
"""

from __future__ import annotations

import re

#: English function words that no German sentence uses (German's "die", "in", "an", "was" are
#: left out): three of them in one sentence mark it as English (docs/translating.md).
ENGLISH_WORDS = frozenset({"the", "is", "of", "and", "your", "to", "that", "with", "for", "are",
                           "this", "you", "it", "be", "from", "which", "when", "not", "or",
                           "has", "have", "does", "its", "their", "must"})
#: How many of them make a sentence English.
ENGLISH_THRESHOLD = 3
_NOT_PROSE = re.compile(r"```.*?```|`[^`\n]*`|\$\$.*?\$\$|\$[^$\n]*\$|<[^>\n]*>|https?://\S+", re.S)
_SENTENCE_END = re.compile(r"(?<=[.!?:;])\s+|\n\s*\n|\n\s*[*-] |\n#+ ")


def english_sentences(text: str) -> list[str]:
    """The sentences of `text` (markdown or a docstring) that read as English: at least
    `ENGLISH_THRESHOLD` English function words outside code spans, code blocks and math."""
    prose = _NOT_PROSE.sub(" ", text)
    found = []
    for sentence in _SENTENCE_END.split(prose):
        words = re.findall(r"[A-Za-z']+", sentence.lower())
        if sum(w in ENGLISH_WORDS for w in words) >= ENGLISH_THRESHOLD:
            found.append(" ".join(sentence.split()))
    return found
