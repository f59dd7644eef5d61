"""Citations are computed from the answer text and checked against what was retrieved:
a marker that points to no retrieved passage is removed, never shown."""

from __future__ import annotations

import re
from dataclasses import dataclass

from policyqa.types import Citation, Document, Passage

MARKER = re.compile(r"\[(\d{1,2})\]")


@dataclass(frozen=True)
class Source:
    passage: Passage
    quote: str
    other_version_id: str = ""


def make_citation(n: int, source: Source, doc: Document | None) -> Citation:
    p = source.passage
    return Citation(
        marker=f"[{n}]",
        passage_id=p.id,
        doc_id=p.doc_id,
        title=(doc.short_title or doc.title) if doc else p.doc_id,
        symbol=doc.symbol if doc else "",
        locator=p.locator,
        pages=p.pages,
        quote=source.quote,
        lang=p.lang,
        other_version_id=source.other_version_id,
    )


def resolve(text: str, sources: dict[int, Source], documents: dict[str, Document]) -> tuple[str, tuple[Citation, ...]]:
    """Keep the markers that name a source, in order of first use; drop the others."""
    used: list[int] = []

    def keep(match: re.Match) -> str:
        n = int(match.group(1))
        if n not in sources:
            return "\x00"  # removed below together with the space before it
        if n not in used:
            used.append(n)
        return match.group(0)

    cleaned = re.sub(r"[ \t]*\x00", "", MARKER.sub(keep, text))
    return cleaned, tuple(make_citation(n, sources[n], documents.get(sources[n].passage.doc_id)) for n in used)


def quote_is_verbatim(citation: Citation, passage: Passage) -> bool:
    """Every piece of a quote (pieces are joined, or cut short, by '…') lies in the passage text."""
    text = " ".join(passage.text.split())
    return all(" ".join(piece.split()) in text for piece in re.split(r"\s*…\s*", citation.quote) if piece.strip())
