"""The extractive answerer (the default, no LLM): the answer is made of the passages' own
words, each quote tied to its numbered citation, or an honest "not covered".

It selects the best passages (a close second or third source is kept when it scores near
the first), quotes from each the sentences or sub-items that bear on the question, and
writes a lead in the asker's language naming the instrument and the provision.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

from . import language
from .analysis import analyse
from .citations import Source, make_citation, resolve
from .phrases import UNSUPPORTED_LANGUAGE, phrase
from .retrieve import Filters, Hit, Retriever
from .types import Answer, Passage


@dataclass(frozen=True)
class AnswerSettings:
    # Calibrated on eval/questions/gold.jsonl: the best passage's cosine under this means the
    # corpus most likely does not answer (see eval/README.md for the trade-off measured).
    # A question and a passage in different languages score lower for the same relevance,
    # so the cross-language threshold is lower.
    min_dense: float = 0.455
    min_dense_cross: float = 0.42
    max_sources: int = 3
    margin: float = 0.04  # other sources must score within this of the best
    max_quote_words: int = 110
    see_also: int = 3

    def covered(self, hits: list[Hit], asker: str) -> bool:
        """Whether the best passage is close enough to the question to answer from it."""
        if not hits:
            return False
        best = max(hits, key=lambda h: h.dense)
        threshold = self.min_dense if best.passage.lang == asker else self.min_dense_cross
        return best.dense >= threshold


_LABEL = re.compile(r"^(?:\(?[a-z]{1,3}\)|\d{1,2}\.|[A-F]\.)\s")
_SENTENCE = re.compile(r"(?<=[.;:])\s+(?=[A-ZÀ-Ý«“\"(])")


def _units(text: str) -> list[str]:
    """Lines (lead-in and sub-items), long lines cut into sentences."""
    units: list[str] = []
    for line in (l.strip() for l in text.split("\n")):
        if not line:
            continue
        units += [s for s in _SENTENCE.split(line) if s.strip()] if len(line.split()) > 60 else [line]
    return units


def select_quote(passage: Passage, question: str, max_words: int) -> str:
    """The passage's words that bear on the question, verbatim, in document order."""
    text = passage.text.strip()
    if len(text.split()) <= max_words:
        return " ".join(text.split())
    units = _units(text)
    query = set(analyse(question, passage.lang)) if passage.lang in ("en", "fr") else set()
    scored = [(len(query & set(analyse(u, passage.lang))) if query else 0, i) for i, u in enumerate(units)]
    keep: set[int] = set()
    lead = 0 if not _LABEL.match(units[0]) else None
    budget = max_words
    if lead is not None and len(units[0].split()) <= max_words // 2:
        keep.add(lead)  # the lead-in gives the sub-items their meaning
        budget -= len(units[0].split())
    order = sorted(scored, key=lambda s: (-s[0], s[1])) if any(s for s, _ in scored) else [(0, i) for i in range(len(units))]
    for _, i in order:
        words = len(units[i].split())
        if i in keep or words > budget:
            continue
        keep.add(i)
        budget -= words
        if budget < 15:
            break
    if not keep:
        return " ".join(units[0].split()[:max_words]) + " …"
    pieces, previous = [], None
    for i in sorted(keep):
        if previous is not None and i != previous + 1:
            pieces.append("…")
        pieces.append(" ".join(units[i].split()))
        previous = i
    return " ".join(pieces)


class ExtractiveAnswerer:
    def __init__(self, retriever: Retriever, settings: AnswerSettings = AnswerSettings()) -> None:
        self.retriever = retriever
        self.settings = settings

    def answer(self, question: str, lang: str | None = None, filters: Filters = Filters()) -> Answer:
        started = time.perf_counter()
        detected = language.identify(" ".join((question or "").split()))
        if lang is None and detected.lang and not detected.supported:
            return Answer(UNSUPPORTED_LANGUAGE, detected.lang, (), False, mode="extractive")
        asker = lang or (detected.lang if detected.supported else "en")
        result = self.retriever.search(question, k=8, lang=asker, filters=filters)
        searched = time.perf_counter()
        documents = self.retriever.index.documents
        hits = list(result.hits)
        timings = (("embed", result.embed_ms), ("search", result.search_ms))
        if not self.settings.covered(hits, asker):
            see_also = tuple(make_citation(i, Source(h.passage, self._preview(h.passage)), documents.get(h.passage.doc_id))
                             for i, h in enumerate(hits[: self.settings.see_also], 1))
            lines = [phrase(asker, "not_covered")]
            if see_also:
                lines += ["", phrase(asker, "see_also")] + [f"- {c.title}, {c.locator}" for c in see_also]
            return Answer("\n".join(lines), asker, (), False, see_also, "extractive",
                          timings + (("compose", (time.perf_counter() - searched) * 1000),))
        chosen = self._choose(hits)
        sources: dict[int, Source] = {}
        blocks: list[str] = []
        open_q, close_q = ("« ", " »") if asker == "fr" else ("“", "”")
        for n, hit in enumerate(chosen, 1):
            p = hit.passage
            quote = select_quote(p, question, self.settings.max_quote_words)
            other = next((o.id for o in hit.other_versions), "")
            sources[n] = Source(p, quote, other)
            doc = documents.get(p.doc_id)
            title = (doc.short_title or doc.title) if doc else p.doc_id
            pages = phrase(asker, "pages", pages=p.pages) if p.pages else ""
            lead = phrase(asker, "according", title=title, locator=p.locator, pages=pages)
            note = f" {phrase(asker, 'quote_other_language')}" if p.lang != asker else ""
            blocks.append(f"{lead}\n{open_q}{quote}{close_q} [{n}]{note}")
        text, citations = resolve("\n\n".join(blocks), sources, documents)
        return Answer(text, asker, citations, True, (), "extractive",
                      timings + (("compose", (time.perf_counter() - searched) * 1000),))

    def _choose(self, hits: list[Hit]) -> list[Hit]:
        top = hits[0]
        chosen = [top]
        for hit in hits[1:]:
            if len(chosen) == self.settings.max_sources:
                break
            if hit.dense >= max(self.settings.min_dense_cross, top.dense - self.settings.margin):
                chosen.append(hit)
        return chosen

    @staticmethod
    def _preview(p: Passage) -> str:
        words = p.text.split()
        return " ".join(words[:40]) + (" …" if len(words) > 40 else "")
