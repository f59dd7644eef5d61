"""Text analysis for the sparse (BM25) side: one analyser per language.

Stemming runs before accent folding because the Snowball French stemmer expects accents;
folding afterwards lets "détention" and "detention" meet.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import Stemmer
from bm25s.stopwords import STOPWORDS_EN, STOPWORDS_FRENCH

_STEMMERS = {"en": "english", "fr": "french"}
_STOP = {"en": frozenset(STOPWORDS_EN), "fr": frozenset(STOPWORDS_FRENCH)}
# Words, and document numbers such as 78/217 or A/RES/73/195 kept whole.
_TOKEN = re.compile(r"[a-z]+(?:/[a-z0-9]+)+|\d+(?:/\d+)+|[^\W_]+", re.I)
_ELISION = re.compile(r"\b[cdjlmnst]['’]|\bqu['’]", re.I)


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@lru_cache(maxsize=4)
def _stemmer(lang: str) -> Stemmer.Stemmer:
    return Stemmer.Stemmer(_STEMMERS[lang])


def analyse(text: str, lang: str) -> list[str]:
    """Lower-case tokens without stop words, stemmed for `lang`, accents folded."""
    if lang not in _STEMMERS:
        raise ValueError(f"no analyser for language '{lang}'")
    text = _ELISION.sub(" ", text.lower())
    words = [w for w in _TOKEN.findall(text) if w not in _STOP[lang] and fold(w) not in _STOP[lang]]
    return [fold(w) for w in _stemmer(lang).stemWords(words)]


LANGS = tuple(_STEMMERS)
