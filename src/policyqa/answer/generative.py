"""The generative answerer: a LangChain chat model on any OpenAI-compatible endpoint (a
hosted API, vLLM, Ollama, llama.cpp's server started by `policyqa llm serve`).

The model sees numbered sources and cites their numbers; the answer's citations are parsed
from its text and checked against the sources actually retrieved: a number that names no
source is removed, and a sentence that cites nothing is flagged as unsupported.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace

from policyqa.answer.citations import MARKER, Source, resolve
from policyqa.answer.front import Draft, Front
from policyqa.answer.judge import JudgeUnavailable
from policyqa.answer.locators import label
from policyqa.answer.names import document_name
from policyqa.answer.phrases import phrase
from policyqa.answer.prompts import REFUSAL, system_prompt, user_prompt
from policyqa.answer.relevance import AnswerSettings
from policyqa.retrieve.filters import Filters
from policyqa.retrieve.retriever import Retriever
from policyqa.types import Answer

DEFAULT_BASE_URL = "http://127.0.0.1:8080/v1"


@dataclass(frozen=True)
class LLMSettings:
    base_url: str = DEFAULT_BASE_URL
    model: str = "local"
    api_key: str = "not-needed"
    sources: int = 3
    max_tokens: int = 350
    timeout_s: float = 120.0

    @classmethod
    def from_env(cls) -> LLMSettings:
        from policyqa.settings import Settings

        settings = Settings.from_env()
        return cls(base_url=settings.llm_base_url, model=settings.llm_model, api_key=settings.llm_api_key)


def unreachable_errors() -> tuple[type[Exception], ...]:
    """What the chat model raises when no model answers (refused, timed out, an HTTP error)."""
    import openai

    return (openai.APIError,)


def chat_model(settings: LLMSettings):
    from langchain_openai import ChatOpenAI

    return ChatOpenAI(
        base_url=settings.base_url,
        api_key=settings.api_key,
        model=settings.model,
        temperature=0,
        max_tokens=settings.max_tokens,
        timeout=settings.timeout_s,
        streaming=True,
        max_retries=0,
    )


_PARTIAL_MARKER = re.compile(r"\[\d{0,2}")


def _release(text: str, known: set[int], final: bool) -> tuple[str, str]:
    """Split streamed text into what may be shown now and what must wait: a marker naming
    no retrieved source is dropped before anyone sees it; "[1" waits for its "]"."""
    shown: list[str] = []
    i = 0
    while (j := text.find("[", i)) >= 0:
        shown.append(text[i:j])
        marker = MARKER.match(text, j)
        if marker:
            if int(marker.group(1)) in known:
                shown.append(marker.group(0))
            i = marker.end()
        elif not final and _PARTIAL_MARKER.fullmatch(text, j):
            return "".join(shown), text[j:]
        else:
            shown.append("[")
            i = j + 1
    shown.append(text[i:])
    return "".join(shown), ""


def checked_stream(pieces: Iterator[str], known: set[int]) -> Iterator[str]:
    pending = ""
    for piece in pieces:
        shown, pending = _release(pending + piece, known, final=False)
        if shown:
            yield shown
    shown, _ = _release(pending, known, final=True)
    if shown:
        yield shown


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+(?=[A-ZÀ-Ý«“\"])", text) if s.strip()]


class LLMAnswerer:
    mode = "llm"

    def __init__(
        self, retriever: Retriever, model, settings: LLMSettings = LLMSettings(), answer_settings: AnswerSettings = AnswerSettings()
    ) -> None:
        self.retriever = retriever
        self.model = model
        self.settings = settings
        self.answer_settings = answer_settings
        self.front = Front(retriever, answer_settings, self.mode)

    @property
    def unreachable(self) -> tuple[type[Exception], ...]:
        return (*unreachable_errors(), JudgeUnavailable)

    def prepare(self, question: str, lang: str | None = None, filters: Filters = Filters()) -> Draft:
        asked = self.front.read(question, lang, filters)
        if isinstance(asked, Answer):
            return Draft(question, asked.lang, ready=asked)
        if (changes := self.front.changes(asked)) is not None:
            return Draft(asked.question, changes.lang, ready=changes)
        findings = self.front.gather(asked, k=self.front.settings.candidates)
        # The model sees the candidates the relevance model ranks highest, best first.
        best = [s.hit for s in findings.ranked[: self.settings.sources]]
        sources = {i: Source(h.passage, h.passage.text, next((o.id for o in h.other_versions), "")) for i, h in enumerate(best, 1)}
        if not findings.covered:
            # Evidence too weak, or the text asked about is not here: the model is not asked,
            # so it cannot improvise.
            return Draft(asked.question, asked.lang, sources, ready=self.front.declined(findings))
        return Draft(asked.question, asked.lang, sources)

    def stream(self, draft: Draft) -> Iterator[str]:
        """The answer's text as the model produces it, with unknown source numbers removed."""
        yield from checked_stream(self._raw_stream(draft), set(draft.sources))

    def _raw_stream(self, draft: Draft) -> Iterator[str]:
        if draft.ready is not None:
            draft.text = draft.ready.text
            yield draft.text
            return
        index = self.retriever.index
        labelled = []
        for n, s in draft.sources.items():
            # Labelled in the answer's language: a model repeats the labels it is given, and
            # the reader should meet « Objectif 13, paragraphe 29 », not "Objective 13 › para 29".
            p = s.passage
            title = document_name(index.documents.get(p.doc_id), draft.lang, index.catalogue, fallback=p.doc_id)
            pages = f", p. {p.pages}" if p.pages else ""
            labelled.append((n, f"{title}, {label(p, draft.lang)}{pages}", " ".join(p.text.split())))
        messages = [("system", system_prompt(draft.lang)), ("user", user_prompt(draft.lang, draft.question, labelled))]
        started = time.perf_counter()
        for chunk in self.model.stream(messages):
            piece = chunk.content if isinstance(chunk.content, str) else ""
            if piece:
                if draft.first_token_ms is None:
                    draft.first_token_ms = (time.perf_counter() - started) * 1000
                draft.text += piece
                yield piece

    def finish(self, draft: Draft) -> Answer:
        """Citations parsed from the text and checked; unsupported sentences flagged."""
        if draft.ready is not None:
            return draft.ready
        text = draft.text.strip()
        if not text or REFUSAL[draft.lang].rstrip(".").lower() in text.lower():
            return Answer(phrase(draft.lang, "not_covered"), draft.lang, (), False, mode="llm")
        index = self.retriever.index
        cleaned, citations = resolve(text, draft.sources, index.documents, draft.lang, index.catalogue)
        unsupported = tuple(s for s in _sentences(cleaned) if not MARKER.search(s))
        timings = (("first_token", draft.first_token_ms or 0.0),)
        if not citations:
            # Nothing the model wrote rests on a retrieved passage: say so rather than show it.
            return Answer(phrase(draft.lang, "not_covered"), draft.lang, (), False, mode="llm", timings_ms=timings, unsupported=unsupported)
        return Answer(cleaned, draft.lang, citations, True, mode="llm", timings_ms=timings, unsupported=unsupported)

    def answer(self, question: str, lang: str | None = None, filters: Filters = Filters()) -> Answer:
        started = time.perf_counter()
        draft = self.prepare(question, lang, filters)
        for _ in self.stream(draft):
            pass
        answer = self.finish(draft)
        return replace(answer, timings_ms=answer.timings_ms + (("total", (time.perf_counter() - started) * 1000),))
