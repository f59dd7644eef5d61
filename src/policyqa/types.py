"""The core vocabulary of policyqa, shared by every stage of the pipeline.

Data flows one way: Document -> Page -> Section -> Passage -> Hit -> Citation -> Answer.
All of these are frozen so that a stage can never change what an earlier stage produced.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Document:
    """One catalogued text, whether or not its file is available on this machine."""

    id: str
    title: str
    lang: str
    family: str
    path: str  # relative to a corpus root
    short_title: str = ""  # the title when empty
    symbol: str = ""
    parallel_group: str = ""  # the same text in another language shares it
    source_url: str = ""  # the official page, in the document's own language
    # Where the file itself can be downloaded (`policyqa corpus fetch`); often not the page.
    download_url: str = ""
    sha256: str = ""  # empty for a user's own document added without one
    licence: str = ""
    collection: str = "default"  # "default" or "extended"
    format: str = ""  # pdf | txt | md | xml, derived from the path when empty
    # Free-form note for documents the client named but that are not shipped here.
    note: str = ""
    # Other names users call it by, in both languages ("Pacte mondial", "Palermo Protocol").
    aliases: tuple[str, ...] = ()
    # The official title in the other language, when the text itself is not in the corpus
    # in that language: users name a resolution by its title ("la résolution sur la
    # protection des migrants"), and a title alone is too common a phrase to be an alias.
    other_titles: tuple[str, ...] = ()
    # When and by whom the text was adopted, and the series of versions it belongs to: the
    # General Assembly re-adopts a resolution with changed text, and the year a question
    # names is what tells the versions apart (retrieve/understand.py).
    adopted: str = ""  # ISO date, YYYY-MM-DD
    body: str = ""  # "General Assembly", "Parliament of Canada", ...
    session: str = ""  # the General Assembly session ("80")
    series: str = ""  # versions of one text share it ("unga/protection-of-migrants")
    kind: str = ""  # resolution, declaration, treaty, law, regulation, rules, note, fact sheet
    current_to: str = ""  # a consolidated law: the date its text is current to


@dataclass(frozen=True)
class Page:
    """The text of one page (1-based), exactly as a loader read it."""

    number: int
    text: str


@dataclass(frozen=True)
class SubItem:
    """A lettered or numbered sub-item of a paragraph or article: "(a)", "(iv)", "2."."""

    label: str
    text: str
    page_start: int | None = None
    page_end: int | None = None
    char_start: int | None = None
    char_end: int | None = None


@dataclass(frozen=True)
class Section:
    """The smallest structural unit a document is cut into before sizing passages.

    `key` is language-neutral ("gcm/obj-11/para-27", "art-14", "preamble") so that the
    English and French versions of one provision can be paired; `locator` is what a reader
    sees, in the document's own language ("Objective 11 › para 27", "Article premier").
    A section's full text is its lead-in followed by its sub-items.
    """

    key: str
    locator: str
    kind: str  # paragraph | preamble | article | heading | bullet | section | note
    lead: str
    items: tuple[SubItem, ...] = ()
    page_start: int | None = None
    page_end: int | None = None
    char_start: int | None = None
    char_end: int | None = None
    notes: tuple[str, ...] = ()  # footnotes referenced from this section
    context: str = ""  # the heading it sits under, e.g. "Objective 13: Use migration detention..."

    @property
    def text(self) -> str:
        parts = [self.lead] if self.lead else []
        parts += [f"{item.label} {item.text}".strip() for item in self.items]
        return "\n".join(parts)


@dataclass(frozen=True)
class Passage:
    """A citable unit: what is embedded, retrieved and quoted."""

    id: str  # hash of document id + locator + text: stable across rebuilds
    doc_id: str
    lang: str
    locator: str
    text: str
    page_start: int | None = None
    page_end: int | None = None
    char_start: int | None = None  # in the cleaned text of page_start
    char_end: int | None = None  # in the cleaned text of page_end
    parallel_key: str = ""  # shared by the EN and FR versions of one provision
    section_key: str = ""
    notes: tuple[str, ...] = ()
    # Heading trail shown with the passage and embedded with it; never part of a quote.
    context: str = ""

    @property
    def pages(self) -> str:
        if self.page_start is None:
            return ""
        if self.page_end is None or self.page_end == self.page_start:
            return str(self.page_start)
        return f"{self.page_start}–{self.page_end}"

    @property
    def word_count(self) -> int:
        return len(self.text.split())


@dataclass(frozen=True)
class Problem:
    """Something wrong with one document, reported without stopping the rest."""

    doc_id: str
    severity: str  # "error" (document skipped) or "warning" (ingested anyway)
    message: str


@dataclass(frozen=True)
class IngestedDocument:
    document: Document
    available: bool
    passages: tuple[Passage, ...] = ()
    pages: int = 0
    problems: tuple[Problem, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Hit:
    """A passage as one search ranked it, with its scores and its version in the other language."""

    passage: Passage
    rank: int
    fused: float
    dense: float
    sparse: float
    other_versions: tuple[Passage, ...] = field(default_factory=tuple)
    unit: float | None = None  # the cosine of the passage's closest unit; None in builds without unit vectors


@dataclass(frozen=True)
class Citation:
    """One numbered source of an answer, resolved to the exact passage it quotes."""

    marker: str  # "[1]"
    passage_id: str
    doc_id: str
    title: str
    symbol: str
    locator: str
    pages: str
    quote: str  # the span of the passage the answer quotes, verbatim
    lang: str
    other_version_id: str = ""  # the same provision in the other language, when there is one
    # The locator and the document's name written for the answer's reader (answer/locators.py,
    # answer/names.py): « Objectif 13, paragraphe 29 g) et h) », « Pacte mondial ». `locator`
    # and `title` stay the document's own, which other tools match on.
    label: str = ""
    document_name: str = ""


@dataclass(frozen=True)
class Answer:
    text: str
    lang: str
    citations: tuple[Citation, ...]
    answered: bool  # False when the corpus was judged not to cover the question
    see_also: tuple[Citation, ...] = ()
    mode: str = "extractive"
    timings_ms: tuple[tuple[str, float], ...] = ()
    # Generated sentences that cite no retrieved source: shown flagged, never as supported.
    unsupported: tuple[str, ...] = ()
    # How likely the best passage found states the answer (the relevance model's support);
    # the answer is declined under the model's threshold. None for replies made before any
    # search (an unsupported language).
    support: float | None = None
