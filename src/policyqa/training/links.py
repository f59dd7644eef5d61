"""Links between instruments: a passage of one text that names another ("the Protocol against
the Smuggling of Migrants", "resolution 73/195", "la Convention de 1951").

Names come from the catalogue's aliases and symbols (`mentions.find`), plus the full titles
of treaties and declarations, which resolutions quote in full rather than by alias.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from policyqa.retrieve import mentions
from policyqa.text.analysis import fold
from policyqa.types import Document, Passage

_TITLED = ("treaty", "gcm", "udhr", "declaration", "guidelines")
_SENTENCE = re.compile(r"(?<=[a-z)\]][.;])\s+(?=[A-Z(«“])")


@dataclass(frozen=True)
class Link:
    passage: Passage  # the passage that names another instrument
    target: Document
    quote: str  # the sentence (or line) of the passage that names it, verbatim


def _norm(text: str) -> str:
    return " ".join(fold(text).lower().replace("’", "'").split())


def _title_names(documents: dict[str, Document]) -> dict[str, str]:
    """Full titles, without the ", supplementing …" tail that citations often drop."""
    names = {}
    for doc in documents.values():
        if doc.family in _TITLED and len(doc.title) > 25:
            names[_norm(doc.title.split(", supplementing")[0])] = doc.id
    return names


def _named(text: str, documents: dict[str, Document], titles: dict[str, str]) -> set[str]:
    found = set(mentions.find(text, documents).doc_ids)
    norm = _norm(text)
    found |= {doc_id for title, doc_id in titles.items() if title in norm}
    return found


def _same_text(a: Document, b: Document) -> bool:
    return a.id == b.id or bool(a.parallel_group and a.parallel_group == b.parallel_group)


def find_links(passages: list[Passage], documents: dict[str, Document], lang: str) -> list[Link]:
    """One link per (passage, instrument named), the target taken in the pack's language when
    the catalogue has that version available in the index."""
    titles = _title_names(documents)
    links: list[Link] = []
    for p in passages:
        own = documents.get(p.doc_id)
        if own is None:
            continue
        units = [u for line in p.text.split("\n") for u in _SENTENCE.split(line.strip()) if u.strip()]
        done: set[str] = set()
        for unit in units:
            for doc_id in sorted(_named(unit, documents, titles)):
                target = documents[doc_id]
                if _same_text(own, target) or (target.parallel_group or target.id) in done:
                    continue
                done.add(target.parallel_group or target.id)
                preferred = next(
                    (d for d in documents.values() if d.parallel_group and d.parallel_group == target.parallel_group and d.lang == lang),
                    target,
                )
                links.append(Link(p, preferred, " ".join(unit.split())))
    return links
