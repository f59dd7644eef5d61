"""POST /v1/render/stream: an unofficial rendering of a quote in the reader's language, by the
generative model (answer/rendering.py). Only a quote of an indexed passage, into the language
the passage is not in: the service is not a general translator."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from policyqa.answer import rendering
from policyqa.answer.citations import quote_in
from policyqa.answer.generative import unreachable_errors

from ..deps import ServiceDep
from ..errors import message
from .ask import _event, _llm_down

router = APIRouter(tags=["ask"])


class RenderIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    passage_id: str = Field(min_length=1, max_length=64)
    quote: str = Field("", max_length=6000, description="words of the passage (pieces joined by '…'); the whole passage when empty")
    lang: Literal["fr", "en"] = Field(description="the reader's language")


@router.post(
    "/render/stream",
    response_class=StreamingResponse,
    summary="An unofficial rendering of a quote in the reader's language, labelled as such (server-sent events)",
    responses={
        200: {
            "content": {"text/event-stream": {}},
            "description": "events `start` {label, note, official_lang, lang}; `delta` {text}; `done` {text, label, note}; "
            "`error` {error, detail} if the model fails midway",
        },
        409: {"description": "the passage is already in that language, or the quote is not words of it"},
    },
)
def render_stream(body: RenderIn, service: ServiceDep, request: Request) -> StreamingResponse:
    request.state.lang = body.lang
    index = service.ready_retriever().index
    row = index.row_of.get(body.passage_id)
    if row is None:
        raise HTTPException(404, f"no passage '{body.passage_id}' in the index")
    passage = index.passages[row]
    if passage.lang == body.lang:
        raise HTTPException(409, f"passage '{passage.id}' is already in '{body.lang}': its text is the official one")
    quote = body.quote.strip() or passage.text
    if not quote_in(quote, passage):
        raise HTTPException(409, f"the quote is not words of passage '{passage.id}'")
    chat = service.chat_model()
    unreachable = unreachable_errors()
    pieces = iter(rendering.render(chat, quote, body.lang))
    try:
        first = next(pieces, "")  # an unreachable model becomes a 503 status, not a broken stream
    except unreachable as exc:
        raise _llm_down(service, exc) from None
    label, note = rendering.LABEL[body.lang], rendering.note(body.lang, passage.lang)

    def events() -> Iterator[str]:
        yield _event("start", {"label": label, "note": note, "official_lang": passage.lang, "lang": body.lang})
        written = [first]
        if first:
            yield _event("delta", {"text": first})
        try:
            for piece in pieces:
                written.append(piece)
                yield _event("delta", {"text": piece})
        except unreachable as exc:
            error = _llm_down(service, exc)
            yield _event("error", {"error": "not ready", "detail": message(error.key, body.lang, **error.values)})
            return
        yield _event("done", {"text": "".join(written).strip(), "label": label, "note": note})

    return StreamingResponse(events(), media_type="text/event-stream", headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
