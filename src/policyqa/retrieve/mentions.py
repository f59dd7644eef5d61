"""Instruments and provisions a question names: "article 33 de la Convention de 1951",
"A/RES/80/218", "Objective 13 of the Global Compact".

Users often name the text they mean; retrieval gives those passages a ranked list of their
own instead of hoping the embedding notices the name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from policyqa.answer.locators import structure
from policyqa.text.analysis import fold
from policyqa.types import Document, Passage


@dataclass(frozen=True)
class Mentions:
    doc_ids: frozenset[str]
    articles: frozenset[str]  # "33", "1", "XI"
    paragraphs: frozenset[int]
    objectives: frozenset[int]

    def __bool__(self) -> bool:
        return bool(self.doc_ids or self.articles or self.paragraphs or self.objectives)


def _norm(text: str) -> str:
    return " " + " ".join(fold(text).lower().replace("’", "'").split()) + " "


def _names(doc: Document) -> list[str]:
    names = list(doc.aliases)
    # A treaty's or a law's full title names it ("Convention relating to the Status of
    # Refugees"); a resolution's title is a common phrase, matched by _titled instead.
    if not doc.symbol.startswith("A/RES/") and len(doc.title.split()) >= 3:
        names.append(doc.title)
    if doc.symbol.startswith("A/RES/") and doc.family != "udhr":
        number = doc.symbol.split("A/RES/", 1)[1].split(",")[0].strip()
        names += [doc.symbol.split(",")[0], f"resolution {number}", f"résolution {number}", f"res {number}"]
    return names


# "the resolution(s) on <title>", "la résolution sur la <titre>", "<title> resolution":
# how delegates name a General Assembly resolution without its number (text is folded).
_BY_TITLE_BEFORE = (
    r"resolutions? (?:of the general assembly |de l'assemblee generale )?"
    r"(?:on|about|entitled|sur|relatives? a|concernant|intitulees?) (?:the |la |le |les |l')?"
)
_BY_TITLE_AFTER = r"(?: resolutions?)"


@lru_cache(maxsize=256)
def _titled(doc: Document) -> re.Pattern | None:
    """A pattern for the resolution named by its title, in English or French."""
    if not doc.symbol.startswith("A/RES/") or doc.family == "udhr":
        return None
    titles = [_norm(t).strip() for t in (doc.title, *doc.other_titles) if t.strip()]
    alternatives = "|".join(re.escape(t) for t in titles)
    return re.compile(rf"(?<!\w)(?:{_BY_TITLE_BEFORE}[«\"“]?\s*(?:{alternatives})(?!\w)|(?:{alternatives}){_BY_TITLE_AFTER}(?!\w))")


_ARTICLE = re.compile(r"\b(?:article|art\.)\s+(premier|first|\d{1,3}|[ivxl]{1,5})\b")
_PARAGRAPH = re.compile(r"\b(?:paragraph|paragraphe|para\.?|paras\.?|§)\s*(\d{1,3})\b")
_OPERATIVE = re.compile(r"\b(?:operative paragraph|paragraphe du dispositif|op\.?)\s*(\d{1,3})\b")
_OBJECTIVE = re.compile(r"\b(?:objective|objectif)\s+(\d{1,2})\b")


def _spans(text: str, doc: Document) -> list[tuple[int, int]]:
    spans = [m.span() for name in _names(doc) for m in re.finditer(rf"(?<![\w/]){re.escape(_norm(name).strip())}(?![\w/])", text)]
    titled = _titled(doc)
    if not spans and titled is not None:
        spans = [m.span() for m in titled.finditer(text)]
    return spans


def named_documents(question: str, documents: dict[str, Document]) -> set[str]:
    """The documents a question names by an alias, symbol or title. A name inside a longer
    name of another document does not count: "Global Compact" in "Global Compact on Refugees"
    names the refugees' compact only."""
    text = _norm(question)
    found = {doc.id: spans for doc in documents.values() if (spans := _spans(text, doc))}
    longer = [(a, b) for spans in found.values() for a, b in spans]

    def inside(span: tuple[int, int]) -> bool:
        a, b = span
        return any(x <= a and b <= y and (y - x) > (b - a) for x, y in longer)

    return {doc_id for doc_id, spans in found.items() if not all(inside(s) for s in spans)}


def find(question: str, documents: dict[str, Document]) -> Mentions:
    text = _norm(question)
    named = named_documents(question, documents)
    articles = {("1" if a in ("premier", "first") else a.upper() if not a.isdigit() else a) for a in _ARTICLE.findall(text)}
    paragraphs = {int(n) for n in _PARAGRAPH.findall(text)} | {int(n) for n in _OPERATIVE.findall(text)}
    objectives = {int(n) for n in _OBJECTIVE.findall(text)}
    return Mentions(frozenset(named), frozenset(articles), frozenset(paragraphs), frozenset(objectives))


# The units a "paragraph N" names: operative, numbered and preambular paragraphs alike, as
# "para"/"op." anywhere in an English locator always did (a bullet or an article is not one).
_PARAGRAPH_UNITS = ("op", "para", "p", "pp")


def locator_matches(passage: Passage, mentions: Mentions) -> bool:
    loc = passage.locator
    if any(re.match(rf"Article {re.escape(a)}(?!\w)", loc, re.I) for a in mentions.articles):
        return True
    where = structure(passage)
    if where is not None:
        # Read from the section key and the locator's structure, so that a French text's
        # « par. 5 » and « Objectif 13 › par. 29 » are found as "op. 5" and "Objective 13 › para 29" are.
        if where.unit in _PARAGRAPH_UNITS and where.number.isdigit() and int(where.number) in mentions.paragraphs:
            return True
        return where.objective in mentions.objectives
    if any(re.search(rf"(?:para|op\.) {n}(?!\d)", loc) for n in mentions.paragraphs):
        return True
    return any(loc.startswith(f"Objective {n} ") or loc == f"Objective {n}" for n in mentions.objectives)
