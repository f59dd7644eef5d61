"""Wire schemas: what the HTTP API promises, kept apart from the core dataclasses so the
library can change without breaking clients."""

from __future__ import annotations

from pydantic import BaseModel, Field

from policyqa.types import Document, Passage


class PassageOut(BaseModel):
    id: str
    doc_id: str
    lang: str
    locator: str
    text: str
    page_start: int | None = None
    page_end: int | None = None
    char_start: int | None = None
    char_end: int | None = None
    parallel_key: str = ""
    context: str = ""
    notes: list[str] = Field(default_factory=list)

    @classmethod
    def of(cls, p: Passage) -> "PassageOut":
        return cls(id=p.id, doc_id=p.doc_id, lang=p.lang, locator=p.locator, text=p.text, page_start=p.page_start,
                   page_end=p.page_end, char_start=p.char_start, char_end=p.char_end, parallel_key=p.parallel_key,
                   context=p.context, notes=list(p.notes))


class HitOut(BaseModel):
    rank: int
    score: float
    dense: float
    sparse: float
    passage: PassageOut
    other_versions: list[PassageOut]


class SearchOut(BaseModel):
    query: str
    lang: str
    detected_lang: str
    supported_lang: bool
    embed_ms: float
    search_ms: float
    hits: list[HitOut]


class DocumentOut(BaseModel):
    id: str
    title: str
    short_title: str
    symbol: str
    lang: str
    family: str
    collection: str
    parallel_group: str
    source_url: str
    licence: str
    available: bool
    indexed_passages: int
    file_url: str | None

    @classmethod
    def of(cls, d: Document, available: bool, passages: int) -> "DocumentOut":
        return cls(id=d.id, title=d.title, short_title=d.short_title or d.title, symbol=d.symbol, lang=d.lang,
                   family=d.family, collection=d.collection, parallel_group=d.parallel_group, source_url=d.source_url,
                   licence=d.licence, available=available, indexed_passages=passages,
                   file_url=f"/v1/documents/{d.id}/file" if available else None)


class PassageDetailOut(BaseModel):
    passage: PassageOut
    document: DocumentOut | None
    previous: PassageOut | None
    next: PassageOut | None
    other_versions: list[PassageOut]


class ErrorOut(BaseModel):
    error: str
    detail: str
