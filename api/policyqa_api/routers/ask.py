"""Questions answered with citations, whole (POST /v1/ask) or streamed as server-sent events
(POST /v1/ask/stream). Both read a follow-up against the conversation's previous turn and
store the turn, so feedback and transcripts can refer to it.

Everything that can fail because of the request (an unknown conversation or filter, no
index, an unreachable model) is checked before the stream starts, so it gets a real 4xx or
503 status rather than an error inside a 200 stream.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field, field_validator

from policyqa.answer.factory import Mode, make_answerer
from policyqa.answer.front import Answerer
from policyqa.answer.judge import CarefulNotFitted
from policyqa.conversation import turns as chat
from policyqa.conversation.store import UnknownConversation
from policyqa.retrieve.retriever import MAX_QUERY_CHARS
from policyqa.storage.database import StorageUnavailable
from policyqa.text import language

from ..deps import ConversationToken, ServiceDep, checked_filters, require_owner
from ..errors import ApiError, message
from ..schemas import OWNED, AnswerOut, CitationOut

router = APIRouter(tags=["ask"])


class AskIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: str = Field(min_length=1, max_length=MAX_QUERY_CHARS)
    lang: Literal["fr", "en"] | None = Field(None, description="answer in this language (default: the question's)")
    mode: Mode = Field("extractive", description="llm needs an OpenAI-compatible endpoint")
    careful: bool = Field(
        False,
        description="the model on the generative mode's endpoint judges which of the first candidates states the answer "
        "(seconds per question on a CPU); either mode",
    )
    doc: list[str] = Field(default_factory=list, max_length=100, description="only these documents")
    family: list[str] = Field(default_factory=list, max_length=20, description="only these families")
    conversation_id: str | None = Field(
        None,
        max_length=64,
        description="continue this conversation (follow-ups; needs its X-Conversation-Token); empty or absent starts a new one",
    )

    @field_validator("question")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("the question is empty")
        return value


def _note_language(body: AskIn, request: Request) -> None:
    """Errors from here on are written in the asker's language. A one-word question is a
    weak clue; the browser's language is then the better one."""
    request.state.lang = body.lang or language.confident(body.question)


def _plan(body: AskIn, service, request: Request, token: str | None) -> chat.TurnPlan:
    if body.conversation_id:
        require_owner(service, body.conversation_id, token)
    try:
        plan = chat.plan_turn(service.store, body.conversation_id or None, body.question, body.lang)
    except UnknownConversation:
        raise ApiError(404, "unknown_conversation", id=body.conversation_id) from None
    if plan.lang:
        request.state.lang = plan.lang
    return plan


def _answerer(body: AskIn, service, retriever) -> Answerer:
    return make_answerer(body.mode, retriever, llm_settings=service.llm_settings, chat_model=service.chat_model, careful=body.careful)


def _llm_down(service, exc: Exception) -> ApiError:
    if isinstance(exc, CarefulNotFitted):
        return ApiError(503, "careful_not_fitted")
    return ApiError(503, "llm_down", url=service.llm_settings.base_url, detail=type(exc).__name__)


@router.post(
    "/ask",
    response_model=AnswerOut,
    responses=OWNED,
    summary="Answer with verbatim quotes and numbered citations, or say the corpus does not cover it",
)
def ask(body: AskIn, service: ServiceDep, request: Request, token: ConversationToken = None) -> AnswerOut:
    _note_language(body, request)
    retriever = service.ready_retriever()
    filters = checked_filters(service, retriever, body.doc, body.family)
    plan = _plan(body, service, request, token)
    answerer = _answerer(body, service, retriever)
    try:
        answer = answerer.answer(plan.query, lang=plan.lang, filters=filters)
    except answerer.unreachable as exc:
        raise _llm_down(service, exc) from None
    request.state.lang = answer.lang
    turn = chat.record(service.store, plan, answer)
    return AnswerOut.of(answer, turn, plan.follow_up, plan.token)


def _event(name: str, data: object) -> str:
    return f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


@router.post(
    "/ask/stream",
    response_class=StreamingResponse,
    summary="The same answer as server-sent events: start, delta (text as produced), citations, done",
    responses=OWNED
    | {
        200: {
            "content": {"text/event-stream": {}},
            "description": "events `start` {conversation_id, conversation_token, lang, mode, follow_up, query}; "
            "`delta` {text}; `citations` {citations, see_also}; `done` (the whole "
            "answer as POST /v1/ask returns it, whose text replaces the deltas); "
            "`error` {error, detail} if the model fails midway",
        }
    },
)
def ask_stream(body: AskIn, service: ServiceDep, request: Request, token: ConversationToken = None) -> StreamingResponse:
    _note_language(body, request)
    retriever = service.ready_retriever()
    filters = checked_filters(service, retriever, body.doc, body.family)
    plan = _plan(body, service, request, token)
    answerer = _answerer(body, service, retriever)
    try:
        # The careful mode's judge runs while the answer is prepared; waiting for the first
        # piece turns an unreachable generative model into a 503 status too.
        draft = answerer.prepare(plan.query, lang=plan.lang, filters=filters)
        pieces, lang = iter(answerer.stream(draft)), draft.lang
        first = next(pieces, "")
    except answerer.unreachable as exc:
        raise _llm_down(service, exc) from None
    pieces = itertools.chain([first] if first else [], pieces)

    def events() -> Iterator[str]:
        yield _event(
            "start",
            {
                "conversation_id": plan.conversation_id,
                "conversation_token": plan.token,
                "lang": lang,
                "mode": body.mode,
                "follow_up": plan.follow_up,
                "query": plan.query,
            },
        )
        try:
            for piece in pieces:
                yield _event("delta", {"text": piece})
            final = answerer.finish(draft)
        except answerer.unreachable as exc:
            error = _llm_down(service, exc)
            yield _event("error", {"error": "not ready", "detail": message(error.key, lang, **error.values)})
            return
        try:
            turn = chat.record(service.store, plan, final)
        except StorageUnavailable as exc:  # the database went away while the answer streamed
            yield _event("error", {"error": "database unavailable", "detail": message("storage_down", lang, detail=str(exc))})
            return
        yield _event(
            "citations",
            {
                "citations": [CitationOut.of(c).model_dump() for c in final.citations],
                "see_also": [CitationOut.of(c).model_dump() for c in final.see_also],
            },
        )
        yield _event("done", AnswerOut.of(final, turn, plan.follow_up, plan.token).model_dump())

    return StreamingResponse(events(), media_type="text/event-stream", headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
