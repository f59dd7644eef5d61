"""What a question names, resolved against the catalogue before anything is searched: the
texts it names (by alias, symbol or title), the version a year or session picks among a
resolution's successive adoptions, catalogued texts the corpus does not hold, and a time
after the corpus's latest text.

Both answer modes act on it the same way (answer/front.py): a named text that is held
restricts the search to it; a named text that is not held, a version the corpus lacks, or a
question about a later time is declined, saying which.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from policyqa.retrieve import mentions
from policyqa.retrieve.absent import Vocabulary, absent_instruments
from policyqa.text import language
from policyqa.text.analysis import analyse, fold
from policyqa.types import Document

# Words that introduce a text named by its title: "la résolution sur la protection des
# migrants", "the 2025 political declaration on trafficking".
_NAMING = re.compile(r"\b(?:resolutions?|declarations?|compacts?|pactes?|protocols?|protocoles?|conventions?|texts?|textes?)\b")
_YEAR = re.compile(r"(?<![\d/.–-])(19[4-9]\d|20\d\d)(?![\d/]|\s*[–-]\s*\d)")
# Years that set a horizon, not a time the question is about: "the 2030 Agenda", "d'ici 2030".
_HORIZON = re.compile(
    r"(?:\b(?:by|until|before|d'ici|horizon|avant|jusqu'en|jusqu'a|agenda|programme)\s+(?:l'|the\s+|de\s+)?$)|(?:[–-]\s*$)",
)
_HORIZON_AFTER = re.compile(r"^\s*(?:agenda|programme|horizon)\b")
_SESSION_NUMBER = re.compile(r"\b(\d{2,3})\s*(?:e|eme|ème|th|st|nd|rd)?\s+session\b|\bsession\s+(\d{2,3})\b")
_SESSION_WORDS = {
    "seventy-eighth": 78,
    "seventy-ninth": 79,
    "eightieth": 80,
    "eighty-first": 81,
    "soixante-dix-huitieme": 78,
    "soixante-dix-neuvieme": 79,
    "quatre-vingtieme": 80,
    "quatre-vingt-unieme": 81,
}
# An instrument word (its start) a year is attached to, and how many words away it may be.
_INSTRUMENT_WORD = re.compile(
    r"^(?:resolution|declaration|convention|protocol|pact|compact|plan|programme|program|directive|loi|law|act|"
    r"code|regulation|reglement|charte|charter|forum|conference|accord|agreement|treat|traite|statut)"
)
_ATTACHED = 5
_FIRST_SESSION_YEAR = 1945  # session N of the General Assembly adopts its resolutions in year 1945 + N


@dataclass(frozen=True)
class Understanding:
    named: frozenset[str]  # held documents the search is restricted to (empty: no restriction)
    years: frozenset[int]  # the years (or sessions, as years) the question names
    unavailable: tuple[Document, ...]  # catalogued texts it names that are not held here
    absent: tuple[str, ...]  # instrument names, as written, that neither corpus nor catalogue knows
    # A version of a named series the corpus does not hold: its title, the year asked for,
    # and the versions held.
    missing_version: tuple[str, int, tuple[Document, ...]] | None = None
    after: int | None = None  # a year after the corpus's latest text that the question is about
    latest: str = ""  # the latest adoption date of a held text
    # Years attached to an instrument word ("the 2024 Pact") that no catalogued text has,
    # when the question names no text the catalogue knows.
    unknown_years: tuple[int, ...] = ()

    @property
    def declines(self) -> bool:
        return bool(self.unavailable or self.absent or self.missing_version or self.after or self.unknown_years)


def _words(text: str, lang: str) -> set[str]:
    return set(analyse(text, lang)) if lang in ("en", "fr") else set()


@lru_cache(maxsize=256)
def _title_words(doc: Document) -> tuple[tuple[frozenset[str], str], ...]:
    """The analysed words of each of a text's titles, with their language. The instrument
    word is the naming word, not part of what names this text."""
    titles = [(doc.title, doc.lang)] + [(t, "fr" if doc.lang == "en" else "en") for t in doc.other_titles]
    out = []
    for title, lang in titles:
        words = [w for w in fold(title).lower().split() if not _INSTRUMENT_WORD.match(w)]
        out.append((frozenset(_words(re.sub(r"\b\d{4}\b", " ", " ".join(words)), lang)), lang))
    return tuple(out)


def _titled(question: str, catalogue: dict[str, Document]) -> set[str]:
    """Documents named by (most of) their title after a naming word: "the resolution on
    international migration and development". The best-matching titles only."""
    folded = fold(question).lower()
    if not _NAMING.search(folded):
        return set()
    scores: dict[str, float] = {}
    asked: dict[str, set[str]] = {}  # the question's words, analysed once per language
    for doc in catalogue.values():
        if doc.kind not in ("resolution", "declaration", "compact"):
            continue
        best = 0.0
        for wanted, lang in _title_words(doc):
            found = len(wanted & asked.setdefault(lang, _words(question, lang)))
            # Every word of a short title; a long one may be shortened by up to its fourth word on.
            if len(wanted) >= 2 and found >= min(len(wanted), 3):
                best = max(best, found / len(wanted))
        if best:
            scores[doc.id] = best
    top = max(scores.values(), default=0.0)
    return {d for d, s in scores.items() if s == top}


def _without_names(question: str, ids: set[str], catalogue: dict[str, Document]) -> str:
    text = question
    for doc_id in ids:
        doc = catalogue[doc_id]
        for name in sorted((*doc.aliases, doc.title), key=len, reverse=True):
            text = re.sub(re.escape(name), " ", text, flags=re.I)
    return text


def _years(question: str) -> tuple[set[int], set[int]]:
    """The years the question names, and those of them attached to a text it names (within
    a few words of an instrument word, or given as a session): "la résolution de 2025",
    "the 1969 OAU Convention", but not "what was the cost in 2022"."""
    folded = fold(question).lower().replace("’", "'")
    years, attached = set(), set()
    for m in _YEAR.finditer(folded):
        if _HORIZON.search(folded[: m.start()]) or _HORIZON_AFTER.match(folded[m.end() :]):
            continue
        year = int(m.group(1))
        years.add(year)
        before = folded[: m.start()].split()[-_ATTACHED:]
        after = folded[m.end() :].split()[:_ATTACHED]
        if any(_INSTRUMENT_WORD.match(w.strip("(),;:«»\"'")) for w in before + after):
            attached.add(year)
    sessions = {_FIRST_SESSION_YEAR + int(m.group(1) or m.group(2)) for m in _SESSION_NUMBER.finditer(folded)}
    sessions |= {_FIRST_SESSION_YEAR + n for words, n in _SESSION_WORDS.items() if re.search(rf"\b{words}\b", folded)}
    return years | sessions, attached | sessions


def _year(doc: Document) -> int | None:
    return int(doc.adopted[:4]) if doc.adopted else None


def understand(question: str, catalogue: dict[str, Document], held: dict[str, Document], vocabulary: Vocabulary) -> Understanding:
    """`catalogue`: every catalogued document, held or not; `held`: those the index holds."""
    by_name = mentions.named_documents(question, catalogue)
    by_symbol = {d for d in by_name if catalogue[d].symbol and catalogue[d].symbol.split(",")[0] in question}
    # A title is looked for outside the names already found: "Protection ... of All Migrant
    # Workers" in the Migrant Workers Convention's name does not name "Protection of migrants".
    named = by_name | _titled(_without_names(question, by_name, catalogue), catalogue)
    years, attached = _years(question)
    latest = max((d.adopted for d in held.values() if d.adopted), default="")
    missing = None
    beyond = bool(latest and years and min(years) > int(latest[:4]))
    if attached and named - by_symbol and not beyond:
        named, missing = _pick_versions(named - by_symbol, attached, catalogue, held, language.detect(question))
        named |= by_symbol
    held_named = {d for d in named if d in held}
    groups_held = {held[d].parallel_group for d in held_named if held[d].parallel_group}
    unavailable = tuple(
        catalogue[d]
        for d in sorted(named - held_named)
        # The same text in the other language, held: the question is answered from it.
        if not any(h.parallel_group == catalogue[d].parallel_group for h in held.values() if catalogue[d].parallel_group)
    )
    after = None
    if beyond:
        # Unless a named law's consolidation reaches that year.
        if not any(held[d].current_to[:4] >= str(max(years)) for d in held_named if held[d].current_to):
            after = max(years)
    absent = () if named else tuple(absent_instruments(question, vocabulary))
    unknown_years: tuple[int, ...] = ()
    if not named and not absent and not after:
        # "the 2024 EU Pact", "la directive de 2008": an instrument of a year no catalogued text has.
        known = {_year(d) for d in catalogue.values()}
        # A later year is a look ahead (the after rule), not a text of that year.
        unknown_years = tuple(sorted(y for y in attached - known if not latest or y <= int(latest[:4])))
    # The search is restricted to the named texts and their other-language versions.
    restrict = {d.id for d in held.values() if d.id in held_named or (d.parallel_group and d.parallel_group in groups_held)}
    return Understanding(
        frozenset(restrict),
        frozenset(years),
        unavailable if not held_named else (),
        absent,
        missing if not held_named else None,
        after,
        latest,
        unknown_years,
    )


def _pick_versions(
    named: set[str], years: set[int], catalogue: dict[str, Document], held: dict[str, Document], lang: str = "en"
) -> tuple[set[str], tuple[str, int, tuple[Document, ...]] | None]:
    """Among the named texts, the versions of the years asked for. A series none of whose
    versions is of a year asked for is a version the corpus lacks (when it holds others)."""
    kept: set[str] = set()
    missing = None
    series: dict[str, set[str]] = {}
    for d in named:
        series.setdefault(catalogue[d].series or d, set()).add(d)
    for key, members in series.items():
        # Every catalogued version of a series counts, named by title or not.
        versions = {d.id for d in catalogue.values() if d.series == key} if catalogue[next(iter(members))].series else members
        matching = {d for d in versions if _year(catalogue[d]) in years}
        if matching:
            kept |= matching
        elif any(d in held for d in versions) and not any(_year(catalogue[d]) in years for d in named):
            # Named with a year none of its versions has (and no other named text has): "the
            # 1969 Convention" is not the 1951 one, "la résolution de 2026" not that of 2025.
            # Named in both languages (a title matches the English and the French entry): the
            # title in the question's language, never whichever a set gives first.
            doc = catalogue[min(members, key=lambda d: (catalogue[d].lang != lang, d))]
            held_versions = tuple(sorted((held[d] for d in versions if d in held), key=lambda x: x.adopted))
            missing = (doc.title, max(years), held_versions)
        else:
            kept |= members
    return kept, missing
