"""Wire schemas: what the HTTP API promises, kept apart from the core dataclasses so the
library can change without breaking clients."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from policyqa.answer.names import family_label
from policyqa.conversation.store import Turn
from policyqa.corpus import catalog
from policyqa.serialise import answer_json, passage_json, to_data
from policyqa.types import Answer, Citation, Document, Passage


def _not_bool(value: object) -> object:
    # JSON's true is no number, though Python's bool is an int; 2.0 is a whole number and is
    # accepted, since the schema's "integer" admits it.
    if isinstance(value, bool):
        raise ValueError("a number is expected, not true or false")
    return value


WholeNumber = Annotated[int, BeforeValidator(_not_bool)]
Rating = Annotated[Literal[1, -1], BeforeValidator(_not_bool)]


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
    def of(cls, p: Passage) -> PassageOut:
        return cls.model_validate(passage_json(p))


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
    format: str = ""  # pdf, txt, md or xml: only a PDF opens at a page (#page=N)
    series: str = ""  # versions of one text share it: GET /v1/compare takes two of them
    adopted: str = ""  # ISO date
    # The official address for a reader of each language: the version in that language
    # when the catalogue has one, else this document's own (catalog.official_urls).
    official_urls: dict[str, str] = {}
    download_url: str = ""  # where the file itself is downloaded from (`policyqa corpus fetch`)
    # The family named for readers, {"en": ..., "fr": ...} (answer/names.py): what a filter shows.
    family_label: dict[str, str] = {}

    @classmethod
    def of(cls, d: Document, available: bool, passages: int, catalogue: Iterable[Document] = ()) -> DocumentOut:
        return cls(
            id=d.id,
            title=d.title,
            short_title=d.short_title or d.title,
            symbol=d.symbol,
            lang=d.lang,
            family=d.family,
            collection=d.collection,
            parallel_group=d.parallel_group,
            source_url=d.source_url,
            licence=d.licence,
            available=available,
            indexed_passages=passages,
            file_url=f"/v1/documents/{d.id}/file" if available else None,
            format=d.format,
            series=d.series,
            adopted=d.adopted,
            official_urls=catalog.official_urls(d, catalogue),
            download_url=d.download_url,
            family_label=family_label(d.family),
        )


class PassageDetailOut(BaseModel):
    passage: PassageOut
    document: DocumentOut | None
    previous: PassageOut | None
    next: PassageOut | None
    other_versions: list[PassageOut]


class ErrorOut(BaseModel):
    error: str
    detail: str  # in the asker's language when it is known
    # The cause, for programs: e.g. unknown_conversation, conversation_token, unknown_document,
    # rate_limited, too_large, invalid; empty where the status says it all.
    code: str = ""


# Every route may answer these, always as ErrorOut; declared so clients (and the OpenAPI
# document) know the shape of an error, which is not FastAPI's default validation body.
def _errors(*pairs: tuple[int, str]) -> dict:
    return {status: {"model": ErrorOut, "description": text} for status, text in pairs}


ERRORS = _errors(
    (400, "bad request: malformed JSON"),
    (404, "unknown id: a conversation, answer, passage or document, or a document or family named in a filter"),
    (413, "request body over 64 KiB"),
    (422, "invalid request: a field missing, of the wrong type or out of range"),
    (503, "not ready: no index loaded (or a first build running), or the generative model does not answer"),
)
# Routes that run the model: rate-limited per client (POLICYQA_RATE_LIMIT).
LIMITED = _errors((429, "too many requests from this client; the Retry-After header says when to try again"))
# Routes on one conversation: X-Conversation-Token, returned when it started.
OWNED = _errors(
    (401, "the conversation's token is missing (header X-Conversation-Token)"), (404, "no such conversation, or not this token's")
)
# Routes that change the index: X-API-Key.
KEYED = _errors(
    (401, "the API key is missing or wrong (header X-API-Key)"),
    (403, "index changes are disabled: POLICYQA_API_KEY is not set on the server"),
    (409, "a build is already running, or the new index could not be loaded (the previous one keeps serving)"),
    (503, "no index could be loaded"),
)
FILES = {200: {"content": {"application/pdf": {}, "text/markdown": {}, "text/plain": {}, "application/xml": {}}, "description": "the file"}}


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
    # For the answer's reader: « Objectif 13, paragraphe 29 g) et h) », « Pacte mondial ».
    # `locator` and `title` stay the document's own.
    label: str = ""
    document_name: str = ""

    @classmethod
    def of(cls, c: Citation) -> CitationOut:
        return cls.model_validate(to_data(c))


class AnswerOut(BaseModel):
    text: str
    lang: str
    answered: bool
    mode: str
    citations: list[CitationOut]
    # Not cited. With an answer: the next provisions the answerer ranked, worth checking when
    # the cited one does not answer. Without one: the closest passages.
    see_also: list[CitationOut]
    timings_ms: dict[str, float]
    # Generated sentences that cite no retrieved source (generative mode): show them flagged.
    unsupported: list[str] = Field(default_factory=list)
    # How likely the best passage found states the answer (0 to 1); answers under the
    # calibrated threshold are declined. Null for a reply made before any search.
    support: float | None = None
    conversation_id: str = ""
    # Only when this answer started the conversation: the secret that reads, continues, rates
    # and exports it (header X-Conversation-Token). Shown once; keep it.
    conversation_token: str = ""
    answer_id: str = ""  # the turn's id: what POST /v1/feedback rates
    follow_up: bool = False  # the question was read as continuing the previous turn
    query: str = ""  # what was searched (the question, plus the previous subject for a follow-up)

    @classmethod
    def of(cls, answer: Answer, turn: Turn | None = None, follow_up: bool = False, token: str = "") -> AnswerOut:
        return cls(
            **answer_json(answer),
            conversation_id=turn.conversation_id if turn else "",
            conversation_token=token,
            answer_id=turn.id if turn else "",
            follow_up=follow_up,
            query=turn.query if turn else "",
        )


class TurnOut(BaseModel):
    answer_id: str
    position: int
    question: str
    query: str
    created: str
    answer: AnswerOut


class ConversationOut(BaseModel):
    conversation_id: str
    conversation_token: str = ""  # only when it was just started: needed to read or continue it
    turns: list[TurnOut]


class FeedbackIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    answer_id: str = Field(min_length=1, max_length=64, description="the answer_id returned with the answer")
    rating: Rating = Field(description="1: helpful, -1: not helpful")
    comment: str = Field("", max_length=4000)


class FeedbackOut(BaseModel):
    id: str
    answer_id: str
    rating: int
    comment: str
    created: str


class IndexStatusOut(BaseModel):
    ready: bool
    building: bool
    build_id: str = ""
    passages: int = 0
    embedding_model: str = ""
    problem: str = ""
    last_build: str = ""
    # The build every worker is told to serve (empty before any publish, or while the database
    # cannot be reached); build_id is the one this worker serves, equal once it has switched.
    published_build: str = ""
    worker: str = ""  # host:process of the worker that answered, to tell the workers apart


class CompareDocumentOut(BaseModel):
    id: str
    symbol: str
    title: str
    adopted: str
    session: str


class CompareProvisionOut(BaseModel):
    key: str  # the structural key ("op-5")
    locator: str  # as cited ("op. 5")
    page_start: int
    page_end: int
    passage_ids: list[str]  # GET /v1/passages/{id} for each
    text: str


class DiffPieceOut(BaseModel):
    op: Literal["equal", "delete", "insert"]
    text: str


class ComparePairOut(BaseModel):
    status: Literal["unchanged", "amended", "added", "dropped"]
    moved: bool  # out of the order the other paragraphs keep
    similarity: float  # share of words in common, in order (0 when unpaired)
    old: CompareProvisionOut | None
    new: CompareProvisionOut | None
    diff: list[DiffPieceOut]  # an amended pair's words: equal, delete (old only), insert (new only)


class CompareCountsOut(BaseModel):
    unchanged: int
    amended: int
    added: int
    dropped: int
    moved: int


class CompareOut(BaseModel):
    old: CompareDocumentOut  # the earlier version, whichever order they were given in
    new: CompareDocumentOut
    counts: CompareCountsOut
    pairs: list[ComparePairOut]  # in the new version's order, a dropped paragraph where it stood


class PageSizeOut(BaseModel):
    page: int
    width: float  # PDF points
    height: float


class RectOut(BaseModel):
    """A highlighted run of one line, in PDF points, origin at the page's bottom left (as pdf.js's
    viewport.convertToViewportPoint expects)."""

    page: int
    x0: float
    y0: float
    x1: float
    y1: float


class HighlightOut(BaseModel):
    passage_id: str
    doc_id: str
    file_url: str
    found: bool  # false: the quote is not on the passage's pages (the page is still worth showing)
    exact: bool  # every letter of the quote placed, in order, with nothing skipped but footnote numbers
    pages: list[PageSizeOut]  # the pages the rectangles lie on, in order: a quote may cross pages
    rects: list[RectOut]
    text: str  # what the rectangles cover, read back from the page


class ReadingSectionOut(BaseModel):
    section_key: str
    locator: str
    context: str
    pages: str
    passages: list[PassageOut]


class ReadingOut(BaseModel):
    document: DocumentOut
    sections: list[ReadingSectionOut]
