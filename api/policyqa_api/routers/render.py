"""POST /v1/render/stream: an unofficial rendering of a quote in the reader's language, by the
generative model (answer/rendering.py). Only a quote of an indexed passage, into the language
the passage is not in: the service is not a general translator."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Literal

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from policyqa.answer import rendering

from ..deps import ServiceDep
from ..errors import ApiError, message

router = APIRouter(tags=["ask"])


class RenderIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    passage_id: str = Field(min_length=1, max_length=64)
    quote: str = Field("", max_length=6000, description="words of the passage (pieces joined by '…'); the whole passage when empty")
    lang: Literal["fr", "en"] = Field(description="the reader's language")


def _event(name: str, data: object) -> str:
    return f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def _words(text: str) -> str:
    return " ".join(text.split())


@router.post(
    "/render/stream",
    response_class=StreamingResponse,
    summary="An unofficial rendering of a quote in the reader's language, labelled as such (server-sent events)",
    responses={
        200: {
            "content": {"text/event-stream": {}},
            "description": "events `start` {label, note, official_lang, lang}; `delta` {text}; `done` {text, label, note}; "
            "`error` {error, detail} if the model fails midway",
        }
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
        raise HTTPException(422, f"passage '{passage.id}' is already in '{body.lang}': its text is the official one")
    quote = body.quote.strip() or passage.text
    text = _words(passage.text)
    if not all(_words(piece) in text for piece in re.split(r"\s*…\s*", quote) if piece.strip()):
        raise HTTPException(422, f"the quote is not words of passage '{passage.id}'")
    chat = service.chat_model()
    import openai

    pieces = iter(rendering.render(chat, quote, body.lang))
    try:
        first = next(pieces, "")  # an unreachable model becomes a 503 status, not a broken stream
    except openai.APIError as exc:
        raise ApiError(503, "llm_down", url=service.llm_settings.base_url, detail=type(exc).__name__) from None
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
        except openai.APIError as exc:
            detail = message("llm_down", body.lang, url=service.llm_settings.base_url, detail=type(exc).__name__)
            yield _event("error", {"error": "not ready", "detail": detail})
            return
        yield _event("done", {"text": "".join(written).strip(), "label": label, "note": note})

    return StreamingResponse(events(), media_type="text/event-stream", headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
