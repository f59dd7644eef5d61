"""The front half every answer mode shares, decided once per question: the language the
answer is written in (or the bilingual reply to a language policyqa does not answer in), the
search with the request's filters, the texts the question names that the corpus lacks, and
whether the corpus covers the question at all. A mode only composes an answer from the
evidence, or gets the same refusal as every other mode.

An answerer produces its answer as a Draft, so the API and the CLI stream every mode the
same way: `prepare` does everything that can fail because of the request, `stream` yields
the text, `finish` returns the Answer with its checked citations.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Protocol

from policyqa.answer.citations import Source, make_citation
from policyqa.answer.phrases import UNSUPPORTED_LANGUAGE, phrase
from policyqa.answer.quotes import preview
from policyqa.answer.relevance import AnswerSettings
from policyqa.retrieve.absent import absent_instruments
from policyqa.retrieve.filters import Filters
from policyqa.retrieve.retriever import Retriever, SearchResult
from policyqa.text import language
from policyqa.types import Answer, Hit


@dataclass(frozen=True)
class Asked:
    """A question policyqa will answer: whitespace normalised, with the answer's language."""

    question: str
    lang: str
    filters: Filters = Filters()


@dataclass(frozen=True)
class Findings:
    """What the search found for a question, and whether it is enough to answer from."""

    asked: Asked
    result: SearchResult
    absent: tuple[str, ...]  # texts the question names that the corpus does not hold
    covered: bool
    searched: float  # perf_counter() when the search ended: composing is timed from here

    @property
    def hits(self) -> list[Hit]:
        return list(self.result.hits)


@dataclass
class Draft:
    """An answer being produced, and the numbered sources it may cite."""

    question: str
    lang: str
    sources: dict[int, Source] = field(default_factory=dict)
    # Complete before any text is produced: a refusal, or an answer composed in one step.
    ready: Answer | None = None
    text: str = ""
    first_token_ms: float | None = None


class Answerer(Protocol):
    mode: str
    # Exceptions that mean the mode's model cannot be reached (a 503, not a 500).
    unreachable: tuple[type[Exception], ...]

    def answer(self, question: str, lang: str | None = None, filters: Filters = Filters()) -> Answer: ...

    def prepare(self, question: str, lang: str | None = None, filters: Filters = Filters()) -> Draft: ...

    def stream(self, draft: Draft) -> Iterator[str]: ...

    def finish(self, draft: Draft) -> Answer: ...


class Front:
    def __init__(self, retriever: Retriever, settings: AnswerSettings, mode: str) -> None:
        self.retriever = retriever
        self.settings = settings
        self.mode = mode

    def read(self, question: str, lang: str | None = None, filters: Filters = Filters()) -> Asked | Answer:
        """The question to answer, or the bilingual reply when it is in a language policyqa
        does not answer in (unless the asker chose the answer's language)."""
        text = " ".join((question or "").split())
        found = language.identify(text)
        if lang is None and found.lang and not found.supported:
            return Answer(UNSUPPORTED_LANGUAGE, found.lang, (), False, mode=self.mode)
        return Asked(text, language.answer_language(text, lang), filters)

    def gather(self, asked: Asked, k: int) -> Findings:
        result = self.retriever.search(asked.question, k=k, lang=asked.lang, filters=asked.filters)
        searched = time.perf_counter()
        absent = tuple(absent_instruments(asked.question, self.retriever.index.vocabulary()))
        covered = not absent and self.settings.covered(list(result.hits), asked.lang)
        return Findings(asked, result, absent, covered, searched)

    def declined(self, findings: Findings) -> Answer:
        """The corpus does not cover the question: say so, name the absent texts, and list the
        closest passages (not cited) so the asker can check for themselves."""
        lang = findings.asked.lang
        documents = self.retriever.index.documents
        see_also = tuple(
            make_citation(i, Source(h.passage, preview(h.passage)), documents.get(h.passage.doc_id))
            for i, h in enumerate(findings.hits[: self.settings.see_also], 1)
        )
        lines = [phrase(lang, "not_covered")]
        if findings.absent:
            lines.append(phrase(lang, "absent", names=", ".join(findings.absent)))
        if see_also:
            lines += ["", phrase(lang, "see_also")] + [f"- {c.title}, {c.locator}" for c in see_also]
        return Answer("\n".join(lines), lang, (), False, see_also, self.mode, timings(findings))


def timings(findings: Findings) -> tuple[tuple[str, float], ...]:
    result = findings.result
    return (("embed", result.embed_ms), ("search", result.search_ms), ("compose", (time.perf_counter() - findings.searched) * 1000))


_PIECE = re.compile(r"\S+\s*")


def pieces(text: str, words: int = 6) -> Iterator[str]:
    """A text composed in one step, sent in small pieces so that clients handle every mode
    the same way."""
    tokens = _PIECE.findall(text)
    lead = text[: len(text) - len(text.lstrip())]
    for i in range(0, len(tokens), words):
        yield (lead if i == 0 else "") + "".join(tokens[i : i + words])
