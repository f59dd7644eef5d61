"""Training material over HTTP: topic packs, quizzes (JSON for the chat page's practice mode,
or a printable handout) and session records of a conversation. The same library as
`policyqa training …`; every quote verbatim with its citation."""

from __future__ import annotations

import re
import unicodedata
from typing import Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field, StrictBool, field_validator

from policyqa.conversation.store import UnknownConversation
from policyqa.training.case_layout import cases_handout, cases_json
from policyqa.training.cases import case_set
from policyqa.training.cases import topics as case_topics
from policyqa.training.handout import Handout
from policyqa.training.layout import pack_handout, quiz_handout, quiz_json, today
from policyqa.training.pack import build_pack
from policyqa.training.quiz import build_quiz
from policyqa.training.render_md import render_markdown
from policyqa.training.render_pdf import render_pdf
from policyqa.training.transcript import transcript_handout

from ..deps import ConversationToken, ServiceDep, checked_filters, require_owner
from ..errors import ApiError
from ..schemas import OWNED, WholeNumber

router = APIRouter(prefix="/training", tags=["training"])
Format = Literal["json", "markdown", "pdf"]


class TopicIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    topic: str = Field(min_length=1, max_length=200, description='the session\'s theme, e.g. "enfants migrants"')
    lang: Literal["fr", "en"] = "fr"
    doc: list[str] = Field(default_factory=list, max_length=100, description="only these documents")
    format: Format = "json"

    @field_validator("topic")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("the topic is empty")
        return value.strip()


class QuizIn(TopicIn):
    count: WholeNumber = Field(10, ge=1, le=50)
    seed: WholeNumber = Field(0, ge=0, le=2**31)
    answers: StrictBool = Field(True, description="include the answer key and the citations")


def _check_docs(doc_ids: list[str], service, retriever, request: Request, lang: str) -> tuple[str, ...]:
    request.state.lang = lang
    return checked_filters(service, retriever, doc_ids).doc_ids


def _filename(kind: str, topic: str) -> str:
    # ASCII only: the name travels in a header; accents are dropped, not the letters.
    ascii_topic = unicodedata.normalize("NFKD", topic).encode("ascii", "ignore").decode().lower()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_topic).strip("-")[:60] or kind
    return f"policyqa-{kind}-{slug}"


def _document(handout: Handout, fmt: str, name: str) -> Response:
    if fmt == "pdf":
        return Response(
            render_pdf(handout), media_type="application/pdf", headers={"Content-Disposition": f'attachment; filename="{name}.pdf"'}
        )
    return Response(
        render_markdown(handout),
        media_type="text/markdown; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}.md"'},
    )


DOCUMENT = {
    200: {"content": {"application/json": {}, "application/pdf": {}, "text/markdown": {}}, "description": "JSON, or the handout as a file"}
}


@router.post(
    "/pack",
    responses=DOCUMENT,
    summary="A handout on a topic: key provisions by instrument, definitions, links, discussion questions (json, markdown or pdf)",
)
def pack(body: TopicIn, service: ServiceDep, request: Request):
    retriever = service.ready_retriever()
    built = build_pack(retriever, body.topic, body.lang, _check_docs(body.doc, service, retriever, request, body.lang))
    handout = pack_handout(built)
    if body.format != "json":
        return _document(handout, body.format, _filename("pack", body.topic))
    return {
        "topic": built.topic,
        "lang": built.lang,
        "covered": built.covered,
        "instruments": len(built.groups),
        "provisions": len(built.provisions),
        "definitions": len(built.definitions),
        "links": len(built.links),
        "questions": list(built.questions),
        "markdown": render_markdown(handout),
    }


@router.post(
    "/quiz",
    responses=DOCUMENT,
    summary="A multiple-choice quiz, every answer a cited passage (json for practice, markdown or pdf to print)",
)
def quiz(body: QuizIn, service: ServiceDep, request: Request):
    retriever = service.ready_retriever()
    built = build_quiz(
        retriever,
        body.topic,
        body.lang,
        count=body.count,
        seed=body.seed,
        doc_ids=_check_docs(body.doc, service, retriever, request, body.lang),
    )
    if body.format != "json":
        return _document(quiz_handout(built, body.answers), body.format, _filename("quiz", body.topic))
    return quiz_json(built, body.answers)


class CasesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    lang: Literal["fr", "en"] = "fr"
    topic: str | None = Field(None, max_length=50, description="only the cases on this topic (smuggling, trafficking, refugees, …)")
    answers: StrictBool = Field(True, description="include the answer key and the provisions")
    format: Format = "json"


@router.post(
    "/cases",
    responses=DOCUMENT,
    summary="Case exercises: fact patterns asking what the law requires, the key citing the controlling provisions (json, markdown or pdf)",
)
def cases(body: CasesIn, service: ServiceDep, request: Request):
    request.state.lang = body.lang
    retriever = service.ready_retriever()
    if body.topic and body.topic not in case_topics(body.lang):
        raise ApiError(404, "unknown_case_topic", topic=body.topic, known=", ".join(case_topics(body.lang)))
    built = case_set(retriever.index, body.lang, body.topic or None)
    if body.format != "json":
        return _document(cases_handout(built, body.answers, today()), body.format, _filename("cases", body.topic or body.lang))
    return cases_json(built, body.answers)


@router.get(
    "/transcript/{conversation_id}",
    responses=DOCUMENT | OWNED,
    summary="A conversation as a session record, every citation resolved (needs X-Conversation-Token)",
)
def transcript(
    conversation_id: str,
    service: ServiceDep,
    request: Request,
    format: Literal["markdown", "pdf"] = Query("pdf"),
    lang: Literal["fr", "en"] | None = Query(None),
    token: ConversationToken = None,
):
    if lang:
        request.state.lang = lang
    require_owner(service, conversation_id, token)
    try:
        turns = service.store.turns(conversation_id)
    except UnknownConversation:
        raise ApiError(404, "unknown_conversation", id=conversation_id) from None
    index = service.retriever.index if service.retriever else None
    handout = transcript_handout(
        [(t.question, t.answer) for t in turns],
        lang,
        documents=index.documents if index else {},
        passages={p.id: p for p in index.passages} if index else {},
    )
    return _document(handout, format, f"policyqa-session-{conversation_id[:8]}")
