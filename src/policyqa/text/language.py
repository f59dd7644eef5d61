"""Which language a question is in. policyqa answers French and English; a question in
another language is recognised as such so that callers can say which languages they support."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from policyqa.corpus.clean import STOPWORDS

SUPPORTED = ("fr", "en")
_FRENCH_MARKS = re.compile(r"[éèêàâçùûôîœ]|\b(?:quel|quelle|quels|quelles|est-ce|qu['’]|l['’]|d['’])", re.I)
# Languages delegates of the Euro-African dialogue may plausibly type in; detection only
# chooses among these, which keeps it fast and accurate on short questions.
_CANDIDATES = ("ENGLISH", "FRENCH", "SPANISH", "PORTUGUESE", "GERMAN", "ITALIAN", "DUTCH", "ARABIC")


@dataclass(frozen=True)
class Detected:
    lang: str  # ISO 639-1, e.g. "fr"
    confidence: float

    @property
    def supported(self) -> bool:
        return self.lang in SUPPORTED


@lru_cache(maxsize=1)
def _detector():
    from lingua import Language, LanguageDetectorBuilder

    return LanguageDetectorBuilder.from_languages(*(getattr(Language, n) for n in _CANDIDATES)).build()


def _vote(text: str) -> str:
    """French or English by stop words, accents, elisions and interrogatives."""
    words = re.findall(r"[^\W\d_]+", text.lower())
    fr = sum(w in STOPWORDS["fr"] for w in words) + len(_FRENCH_MARKS.findall(text))
    en = sum(w in STOPWORDS["en"] for w in words)
    return "fr" if fr > en else "en"


def _script_language(text: str) -> str | None:
    """For a question mostly written in a script other than Latin or Arabic: its language
    ("zh", "ja", "ko", else "und"). Detection chooses among a few languages, so a Chinese
    question would otherwise come out as its closest candidate, English."""
    letters = [c for c in text if c.isalpha()]
    names = [unicodedata.name(c, "") for c in letters]
    if not letters or sum(n.startswith(("LATIN", "ARABIC")) for n in names) * 2 >= len(letters):
        return None
    if any(n.startswith(("HIRAGANA", "KATAKANA")) for n in names):
        return "ja"
    if any(n.startswith("HANGUL") for n in names):
        return "ko"
    if any(n.startswith("CJK") for n in names):
        return "zh"
    return "und"


@lru_cache(maxsize=1024)
def identify(text: str) -> Detected:
    """The question's language, with lingua's confidence; short, ambiguous strings such as
    "Article 33" fall back to a French/English vote rather than a guess at a third language.

    Cached: one request reads the same question's language in the API (for its error
    messages), the conversation and the answerer, and lingua takes about 6 ms a call."""
    if not re.search(r"[^\W\d_]", text):
        return Detected("", 0.0)
    script = _script_language(text)
    if script:
        return Detected(script, 1.0)
    values = _detector().compute_language_confidence_values(text)
    best = values[0]
    lang = best.language.iso_code_639_1.name.lower()
    if lang in SUPPORTED or best.value >= 0.5:
        return Detected(lang, float(best.value))
    return Detected(_vote(text), float(best.value))


def detect(text: str) -> str:
    """'fr' or 'en' for a supported question, another ISO code otherwise, '' without letters."""
    return identify(text).lang


# Below this, lingua's verdict on a short string ("and for women?", "Article 33") is a guess:
# the caller's other evidence (the conversation's language, the browser's) is better.
CONFIDENT = 0.5


def confident(text: str) -> str | None:
    """The question's language when it is supported and clearly identified, else None."""
    found = identify(text)
    return found.lang if found.supported and found.confidence >= CONFIDENT else None


def answer_language(text: str, explicit: str | None = None) -> str:
    """The language an answer is written in: the asker's explicit choice, else the question's
    when policyqa supports it, else English (a question in another language is still
    searched, and told which languages policyqa answers in)."""
    if explicit:
        return explicit
    found = identify(text)
    return found.lang if found.supported else "en"
