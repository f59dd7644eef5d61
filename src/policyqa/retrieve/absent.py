"""Instruments a question names that the corpus does not hold: "the 1984 Cartagena
Declaration", "la Convention de l'OUA de 1969".

Such a question is close in topic to passages that are in the corpus (the 1967 Protocol's
refugee definition for a question on the Cartagena Declaration), so the cosine threshold lets
it through and the answer would cite a text the asker did not ask about. A proper name beside
an instrument word that occurs nowhere in the corpus or the catalogue says the asked-about
text is not here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from policyqa.text.analysis import fold
from policyqa.types import Document, Passage

_INSTRUMENT = re.compile(
    r"^(?:declarations?|conventions?|protocols?|protocoles?|charters?|chartes?|directives?|regulations?|"
    r"reglements?|pacts?|pactes?|treaty|treaties|traites?|codes?|agreements?|accords?|statutes?|statuts?)$"
)
_WORD = re.compile(r"[^\W\d_][\w'’-]*")
# Words around the instrument word that may hold its proper name ("Convention de l'OUA de 1969":
# three words after; "the 1984 Cartagena Declaration": two before).
_BEFORE, _AFTER = 2, 4
# A name known in one language is often written a little differently in the other
# ("Vienna" / "Vienne"): a word sharing its first letters with a corpus word is not unknown.
_PREFIX = 5


def _key(word: str) -> str:
    return fold(word).lower().replace("’", "'").split("'")[-1]


@dataclass(frozen=True)
class Vocabulary:
    words: frozenset[str]
    prefixes: frozenset[str]

    @classmethod
    def of(cls, passages: Iterable[Passage], documents: Iterable[Document]) -> Vocabulary:
        texts = [f"{p.context} {p.text}" for p in passages]
        texts += [" ".join((d.title, d.short_title, d.symbol, *d.aliases, *d.other_titles)) for d in documents]
        words = {_key(w) for text in texts for w in _WORD.findall(text)}
        return cls(frozenset(words), frozenset(w[:_PREFIX] for w in words if len(w) >= _PREFIX))

    def knows(self, word: str) -> bool:
        key = _key(word)
        return key in self.words or (len(key) >= _PREFIX and key[:_PREFIX] in self.prefixes)


def absent_instruments(question: str, vocabulary: Vocabulary) -> list[str]:
    """The names, as written, of instruments the question names and the corpus does not hold."""
    words = _WORD.findall(question)
    names: list[str] = []
    for i, word in enumerate(words):
        if not _INSTRUMENT.match(_key(word)):
            continue
        for j in range(max(0, i - _BEFORE), min(len(words), i + _AFTER + 1)):
            candidate = words[j].split("'")[-1].split("’")[-1]
            # A proper name: capitalised (or an acronym), not the question's first word.
            if j == 0 or j == i or len(candidate) < 3 or not candidate[0].isupper():
                continue
            if not vocabulary.knows(candidate):
                a, b = min(i, j), max(i, j)
                names.append(" ".join(words[a : b + 1]))
                break
    return names
