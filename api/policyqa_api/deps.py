"""Dependency aliases, so route signatures stay one line."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request

from policyqa.conversation.store import UnknownConversation
from policyqa.retrieve.filters import Filters, UnknownFilter, check
from policyqa.retrieve.retriever import Retriever

from .errors import ApiError
from .service import Service


def get_service(request: Request) -> Service:
    return request.app.state.service


ServiceDep = Annotated[Service, Depends(get_service)]
ConversationToken = Annotated[
    str | None,
    Header(alias="X-Conversation-Token", max_length=200, description="the conversation_token returned when the conversation started"),
]


def require_owner(service: Service, conversation_id: str, token: str | None) -> None:
    """401 without a token; 404 for an unknown conversation or another's token, alike, so a
    conversation's existence cannot be probed."""
    if not token:
        raise ApiError(401, "conversation_token")
    try:
        service.store.authorise(conversation_id, token)
    except UnknownConversation:
        raise ApiError(404, "unknown_conversation", id=conversation_id) from None


def checked_filters(
    service: Service, retriever: Retriever, docs: list[str] | None, families: list[str] | None = None, langs: list[str] | None = None
) -> Filters:
    """The request's filters, each value checked against what is served: a document or family
    that is not there is a 404 naming it, like any unknown id (the value itself is well formed,
    so not a 422). An empty value (a form's "all" option) means no filter. A document the
    catalogue lists but the index lacks (its file is not here) is told apart from an unknown one."""
    docs, families, langs = ([v for v in (values or ()) if v.strip()] for values in (docs, families, langs))
    filters = Filters(tuple(docs), tuple(families), tuple(langs))
    try:
        # The index this request is answered from, even if a reload swaps it meanwhile.
        check(filters, retriever.index.documents, service.documents)
    except UnknownFilter as exc:
        if exc.code == "unknown_family":
            raise ApiError(404, exc.code, id=exc.value, known=", ".join(exc.known)) from None
        if exc.code == "unindexed_document":
            raise ApiError(404, exc.code, id=exc.value, path=exc.path) from None
        raise ApiError(404, exc.code, id=exc.value) from None
    return filters
