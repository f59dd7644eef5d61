"""A bound on request bodies, declared or streamed, answered in the API's own error shape.

A declared Content-Length over the limit is refused before anything is read; a chunked body
(no length) is counted as it arrives and refused at the first byte over, instead of being
read whole. (Starlette's own limit answers a declared one in plain text, whatever the app
replies; this one keeps every error JSON in the asker's language.)
"""

from __future__ import annotations

from fastapi import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .errors import message, reply, scope_lang

MAX_BODY_BYTES = 64 * 1024


class BodyTooLarge(HTTPException):
    """Raised from inside the body reader: FastAPI's body parsing lets an HTTPException through
    (any other error there becomes a 400), and the app's handler answers 413 in the asker's
    language."""

    def __init__(self) -> None:
        super().__init__(413)


class BodyLimit:
    def __init__(self, app: ASGIApp, limit: int = MAX_BODY_BYTES) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.limit:
            await self._too_large(scope, receive, send)
            return
        seen = 0
        started = False

        async def counted() -> Message:
            nonlocal seen
            event = await receive()
            if event["type"] == "http.request":
                seen += len(event.get("body", b""))
                if seen > self.limit:
                    raise BodyTooLarge()
            return event

        async def watched(event: Message) -> None:
            nonlocal started
            started = started or event["type"] == "http.response.start"
            await send(event)

        try:
            await self.app(scope, counted, watched)
        except BodyTooLarge:
            # Read outside FastAPI's body parsing, so not answered by the app's handler.
            if not started:
                await self._too_large(scope, receive, send)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        detail = message("too_large", scope_lang(scope), limit=str(self.limit))
        await reply(413, "request too large", detail, "too_large")(scope, receive, send)
