"""Instruments a question names that the corpus does not hold: "the 1984 Cartagena
Declaration", "la Convention de l'OUA de 1969".

Such a question is close in topic to passages that are in the corpus (the 1967 Protocol's
refugee definition for a question on the Cartagena Declaration), so the cosine threshold lets
it through and the answer would cite a text the asker did not ask about. A proper name beside
an instrument word that occurs nowhere in the corpus or the catalogue says the asked-about
text is not here.

Two names the vocabulary cannot judge are read apart. A regional organisation's instrument
named by the organisation ("the EU Pact", « la directive retour de l'UE », « le Protocole de
la CEDEAO »): its acronym is a word the corpus does use (the Rabat Process is a Euro-African
dialogue), so what says the text is absent is that no catalogued text was issued by that
organisation. And a law or directive named by its number ("Law No. 02-03", "Directive
2008/115/EC"): absent when no catalogued text bears that number.
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


# Regional organisations, by every name a question may give them. A short acronym counts only
# as written, in capitals ("AU", never the French "au").
_BODIES = {
    "European Union": ("EU", "UE", "European Union", "Union européenne"),
    "African Union": (
        "AU",
        "UA",
        "OAU",
        "OUA",
        "African Union",
        "Union africaine",
        "Organization of African Unity",
        "Organisation de l'unité africaine",
    ),
    "ECOWAS": ("ECOWAS", "CEDEAO", "Economic Community of West African States", "Communauté économique des États de l'Afrique de l'Ouest"),
    "Council of Europe": ("Council of Europe", "Conseil de l'Europe", "ECHR", "CEDH", "European Convention on Human Rights"),
    "SADC": ("SADC", "Southern African Development Community"),
}
# Instrument words a number designates ("loi n° 02-03", "Directive 2008/115/EC", "Regulation (EU) 2024/1351").
_NUMBERED_WORD = r"\b(?:loi|law|directive|regulation|r[eè]glement|d[eé]cret|decree|dahir|ordonnance|ordinance|act)\b"
_NUMBER = r"\d{1,4}[-/]\d{1,4}(?:[-/]\d{1,4})?"
_NUMBERED = re.compile(
    rf"{_NUMBERED_WORD}[^?;:!]{{0,40}}?(?<![\w/.-])({_NUMBER})(?:/[A-Z]{{2,3}}\b)?(?![\w/-])",
    re.IGNORECASE,
)
# How far a body's name may stand from the instrument word: "le Pacte sur la migration et
# l'asile de l'Union européenne".
_BODY_WINDOW = 8


def _key(word: str) -> str:
    return fold(word).lower().replace("’", "'").split("'")[-1]


@dataclass(frozen=True)
class Vocabulary:
    words: frozenset[str]
    prefixes: frozenset[str]
    # The regional organisations (keys of _BODIES) that issued a catalogued text.
    bodies: frozenset[str] = frozenset()
    # Every number designation in a catalogued text's names ("78/217", "2008/115").
    numbers: frozenset[str] = frozenset()

    @classmethod
    def of(cls, passages: Iterable[Passage], documents: Iterable[Document]) -> Vocabulary:
        documents = list(documents)
        texts = [f"{p.context} {p.text}" for p in passages]
        names = [" ".join((d.title, d.short_title, d.symbol, *d.aliases, *d.other_titles)) for d in documents]
        words = {_key(w) for text in texts + names for w in _WORD.findall(text)}
        issuers = " ".join(f"{d.body} {d.title}" for d in documents)
        bodies = {body for body, spellings in _BODIES.items() if any(_names(issuers, spelling) for spelling in spellings)}
        numbers = {n for name in names for n in re.findall(_NUMBER, name)}
        return cls(frozenset(words), frozenset(w[:_PREFIX] for w in words if len(w) >= _PREFIX), frozenset(bodies), frozenset(numbers))

    def knows(self, word: str) -> bool:
        key = _key(word)
        return key in self.words or (len(key) >= _PREFIX and key[:_PREFIX] in self.prefixes)


def _names(text: str, spelling: str) -> bool:
    if len(spelling) <= 3:  # an acronym, in capitals as written
        return re.search(rf"(?<![\w'’]){spelling}(?!\w)|(?<=['’]){spelling}(?!\w)", text) is not None
    return re.search(rf"\b{re.escape(fold(spelling).lower())}\b", fold(text).lower()) is not None


def absent_instruments(question: str, vocabulary: Vocabulary) -> list[str]:
    """The names, as written, of instruments the question names and the corpus does not hold."""
    words = _WORD.findall(question)
    names: list[str] = _numbered(question, vocabulary)
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
    if not names:  # "the EU Return Directive (Directive 2008/115/EC)" is one text, named once
        names = [name for name, _ in _foreign(question, words, vocabulary)]
    return list(dict.fromkeys(names))


def _foreign(question: str, words: list[str], vocabulary: Vocabulary) -> list[tuple[str, str]]:
    """Instruments named by a regional organisation no catalogued text comes from, with the
    organisation's name as the question writes it."""
    found = []
    for body, spellings in _BODIES.items():
        if body in vocabulary.bodies:
            continue
        for spelling in spellings:
            if not _names(question, spelling):
                continue
            near = [w for i, w in enumerate(words) if _INSTRUMENT.match(_key(w)) and _within(words, i, spelling)]
            if near:
                found.append((f"{near[0]} ({spelling})", spelling))
                break
    return found


def _within(words: list[str], i: int, spelling: str) -> bool:
    window = " ".join(words[max(0, i - _BODY_WINDOW) : i + _BODY_WINDOW + 1])
    return _names(window, spelling)


def _numbered(question: str, vocabulary: Vocabulary) -> list[str]:
    """Laws and directives named by a number no catalogued text bears."""
    found = []
    for m in _NUMBERED.finditer(question):
        if m.group(1) in vocabulary.numbers:
            continue
        # From the instrument word nearest the number: "Directive (Directive 2008/115/EC" is "Directive 2008/115/EC".
        last = [w.start() for w in re.finditer(_NUMBERED_WORD, m.group(0), re.IGNORECASE)][-1]
        found.append(m.group(0)[last:].strip())
    return found
