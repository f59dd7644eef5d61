"""Citations are computed from the answer text and checked against what was retrieved:
a marker that points to no retrieved passage is removed, never shown."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from policyqa.answer.locators import label
from policyqa.answer.names import document_name
from policyqa.answer.phrases import phrase
from policyqa.types import Citation, Document, Passage

MARKER = re.compile(r"\[(\d{1,2})\]")


@dataclass(frozen=True)
class Source:
    passage: Passage
    quote: str
    other_version_id: str = ""


def make_citation(
    n: int, source: Source, doc: Document | None, lang: str = "", catalogue: Mapping[str, Document] | None = None
) -> Citation:
    """`lang` is the answer's: the citation's label and document name are written for its
    reader (the passage's own language when not given); `catalogue` names a document by its
    version in that language when one is catalogued."""
    p = source.passage
    reader = lang or p.lang
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
        label=label(p, reader),
        document_name=document_name(doc, reader, catalogue, fallback=p.doc_id),
    )


def other_language_note(p: Passage, lang: str, documents: dict[str, Document]) -> str:
    """The note after a quote in another language than the answer's (empty otherwise): the
    quote is never translated, and the reader is told whether the corpus holds the text in
    their language at all (then this passage has no version paired with it there)."""
    if p.lang == lang:
        return ""
    doc = documents.get(p.doc_id)
    group = doc.parallel_group if doc else ""
    held = bool(group) and any(d.parallel_group == group and d.lang == lang for d in documents.values())
    return f" {phrase(lang, 'quote_other_language_held' if held else 'quote_other_language')}"


def resolve(
    text: str, sources: dict[int, Source], documents: dict[str, Document], lang: str = "", catalogue: Mapping[str, Document] | None = None
) -> tuple[str, tuple[Citation, ...]]:
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
    cited = (make_citation(n, sources[n], documents.get(sources[n].passage.doc_id), lang, catalogue) for n in used)
    return cleaned, tuple(cited)


def quote_is_verbatim(citation: Citation, passage: Passage) -> bool:
    return quote_in(citation.quote, passage)


def quote_in(quote: str, passage: Passage) -> bool:
    """Every piece of a quote (pieces are joined, or cut short, by '…') lies in the passage text."""
    text = " ".join(passage.text.split())
    return all(" ".join(piece.split()) in text for piece in re.split(r"\s*…\s*", quote) if piece.strip())
