from dataclasses import asdict
from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from policyqa.extractive import ExtractiveAnswerer
from policyqa.retrieve import MAX_QUERY_CHARS, Filters

from ..deps import ServiceDep

router = APIRouter(tags=["ask"])


class AskIn(BaseModel):
    question: str = Field(min_length=1, max_length=MAX_QUERY_CHARS)
    lang: Literal["fr", "en"] | None = None
    mode: Literal["extractive"] = "extractive"
    doc: list[str] = Field(default_factory=list)
    family: list[str] = Field(default_factory=list)


class CitationOut(BaseModel):
    marker: str
    passage_id: str
    doc_id: str
    title: str
    symbol: str
    locator: str
    pages: str
    quote: str
    lang: str
    other_version_id: str


class AnswerOut(BaseModel):
    text: str
    lang: str
    answered: bool
    mode: str
    citations: list[CitationOut]
    see_also: list[CitationOut]
    timings_ms: dict[str, float]


@router.post("/ask", response_model=AnswerOut,
             summary="Answer with verbatim quotes and numbered citations, or say the corpus does not cover it")
def ask(body: AskIn, service: ServiceDep) -> AnswerOut:
    answerer = ExtractiveAnswerer(service.ready_retriever())
    answer = answerer.answer(body.question, lang=body.lang, filters=Filters(tuple(body.doc), tuple(body.family)))
    return AnswerOut(
        text=answer.text, lang=answer.lang, answered=answer.answered, mode=answer.mode,
        citations=[CitationOut(**asdict(c)) for c in answer.citations],
        see_also=[CitationOut(**asdict(c)) for c in answer.see_also],
        timings_ms={k: round(v, 1) for k, v in answer.timings_ms},
    )
