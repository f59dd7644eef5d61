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

from policyqa.answer.changes import answer_changes, asks_for_changes
from policyqa.answer.citations import Source, make_citation
from policyqa.answer.judge import Candidate, CarefulNotFitted
from policyqa.answer.phrases import UNSUPPORTED_LANGUAGE, phrase
from policyqa.answer.quotes import preview
from policyqa.answer.relevance import AnswerSettings, Scored, rank, reconsider
from policyqa.retrieve import mentions
from policyqa.retrieve.filters import Filters
from policyqa.retrieve.mentions import Mentions
from policyqa.retrieve.retriever import Retriever, SearchResult
from policyqa.retrieve.understand import Understanding, understand
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
    understood: Understanding  # the texts, versions and time the question names
    ranked: tuple[Scored, ...]  # the candidates, the likeliest to state the answer first
    support: float  # how likely the first of them states the answer (0 when none was found)
    covered: bool
    searched: float  # perf_counter() when the search ended: composing is timed from here
    judge_ms: float = 0.0  # the careful mode's judge, when it ran

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

    def changes(self, asked: Asked) -> Answer | None:
        """The answer to a question about what changed between versions of a text it names,
        from their comparison (answer/changes.py), in every mode: the differences are found
        by aligning the texts, not written by a model. None for any other question."""
        if asked.filters.doc_ids or asked.filters.families or not asks_for_changes(asked.question):
            return None
        index = self.retriever.index
        understood = understand(asked.question, index.catalogue, index.documents, index.vocabulary())
        if understood.declines:
            # A version the corpus lacks ("the 2027 resolution", « la résolution de 2021 ») is
            # declined as any question about it, never answered from the versions held.
            return None
        return answer_changes(asked.question, asked.lang, understood, index, self.mode)

    def candidates(self, asked: Asked, k: int) -> tuple[Understanding, SearchResult, Mentions]:
        """What the question names, and the search restricted accordingly (the relevance
        model's fitting reads the same candidates as the answerers)."""
        index = self.retriever.index
        understood = understand(asked.question, index.catalogue, index.documents, index.vocabulary())
        result = self.retriever.search(asked.question, k=k, lang=asked.lang, filters=restricted(asked.filters, understood))
        return understood, result, mentions.find(asked.question, index.documents)

    def gather(self, asked: Asked, k: int) -> Findings:
        understood, result, named = self.candidates(asked, max(k, self.settings.candidates))
        searched = time.perf_counter()
        pool = list(result.hits[: self.settings.candidates])
        ranked, support = rank(pool, asked.question, asked.lang, named, bool(understood.named), self.settings.model)
        covered = not understood.declines and bool(ranked) and support >= self.settings.model.threshold
        judge_ms = 0.0
        if covered and self.settings.judge is not None:
            ranked, judge_ms = self.reconsidered(asked.question, ranked)
            searched = time.perf_counter()
        return Findings(asked, result, understood, tuple(ranked), support, covered, searched, judge_ms)

    def reconsidered(self, question: str, ranked: list[Scored]) -> tuple[list[Scored], float]:
        """The careful mode: the judge reads the first candidates, which are then reordered
        (relevance.reconsider); whether to answer was decided before."""
        model = self.settings.model
        if not model.careful_candidates:
            raise CarefulNotFitted(
                "the careful mode is not available: the relevance model has no careful setting "
                "(with Qwen2.5-Coder-1.5B as the judge it did not hold on sealed questions; see eval/README.md); "
                "fit one with `policyqa relevance fit --judged`"
            )
        head = ranked[: model.careful_candidates]
        documents = self.retriever.index.documents
        judged = self.settings.judge.judge(question, [judge_candidate(s.hit, documents) for s in head])
        return reconsider(ranked, [j.log_odds for j in judged], model.careful_weight), sum(j.ms for j in judged)

    def declined(self, findings: Findings) -> Answer:
        """The corpus does not cover the question: say so, name the absent texts, and list the
        closest passages (not cited) so the asker can check for themselves."""
        lang = findings.asked.lang
        index = self.retriever.index
        see_also = tuple(
            make_citation(i, Source(h.passage, preview(h.passage)), index.documents.get(h.passage.doc_id), lang, index.catalogue)
            for i, h in enumerate(findings.hits[: self.settings.see_also], 1)
        )
        lines = [phrase(lang, "not_covered")] + why_declined(findings.understood, lang)
        if see_also:
            lines += ["", phrase(lang, "see_also")] + [f"- {c.document_name}, {c.label}" for c in see_also]
        return Answer("\n".join(lines), lang, (), False, see_also, self.mode, timings(findings), support=round(findings.support, 4))


def restricted(filters: Filters, understood: Understanding) -> Filters:
    """The request's filters, narrowed to the texts the question names. A filter the asker
    set wins: when it excludes every named text, the question is searched as filtered."""
    if not understood.named:
        return filters
    named = tuple(sorted(understood.named))
    if filters.doc_ids:
        named = tuple(d for d in named if d in filters.doc_ids)
        if not named:
            return filters
    return Filters(named, filters.families, filters.langs)


def why_declined(understood: Understanding, lang: str) -> list[str]:
    """One sentence per reason the question names something the corpus cannot answer."""
    lines = []
    for doc in understood.unavailable:
        name = f"{doc.title} ({doc.symbol})" if doc.symbol else doc.title
        key = "unavailable" if doc.collection == "default" else "other_collection"
        lines.append(phrase(lang, key, name=name, path=doc.path, collection=doc.collection))
    if understood.missing_version:
        title, year, held = understood.missing_version
        versions = ", ".join(f"{d.adopted[:4]} ({d.symbol or d.id})" for d in held)
        lines.append(phrase(lang, "missing_version", title=title, year=str(year), versions=versions))
    if understood.after:
        lines.append(phrase(lang, "after_corpus", year=str(understood.after), latest=written_date(understood.latest, lang)))
    if understood.unknown_years:
        lines.append(phrase(lang, "unknown_year", years=", ".join(str(y) for y in understood.unknown_years)))
    if understood.absent:
        lines.append(phrase(lang, "absent", names=", ".join(understood.absent)))
    return lines


_MONTHS = {
    "fr": ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"),
}


def written_date(iso: str, lang: str) -> str:
    """ "2025-12-18" as a reader writes it: « 18 décembre 2025 », "18 December 2025"."""
    try:
        year, month, day = (int(x) for x in iso.split("-"))
        return f"{day} {_MONTHS[lang if lang in _MONTHS else 'en'][month - 1]} {year}"
    except (ValueError, IndexError):
        return iso


def judge_candidate(hit: Hit, documents: dict) -> Candidate:
    passage = hit.passage
    doc = documents.get(passage.doc_id)
    return Candidate(passage.id, doc.title if doc else passage.doc_id, passage.locator, passage.context, passage.text)


def timings(findings: Findings) -> tuple[tuple[str, float], ...]:
    result = findings.result
    judged = (("judge", findings.judge_ms),) if findings.judge_ms else ()
    compose = (time.perf_counter() - findings.searched) * 1000
    return (("embed", result.embed_ms), ("search", result.search_ms), *judged, ("compose", compose))


_PIECE = re.compile(r"\S+\s*")


def pieces(text: str, words: int = 6) -> Iterator[str]:
    """A text composed in one step, sent in small pieces so that clients handle every mode
    the same way."""
    tokens = _PIECE.findall(text)
    lead = text[: len(text) - len(text.lstrip())]
    for i in range(0, len(tokens), words):
        yield (lead if i == 0 else "") + "".join(tokens[i : i + words])
