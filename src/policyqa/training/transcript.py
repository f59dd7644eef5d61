"""A session record: the questions put to policyqa during a session and the answers it gave,
with every citation resolved to its document, provision, page and verbatim quote.

It takes plain (question, Answer) pairs, so it works with any store of conversations (the
API's ConversationStore turns are turned into pairs by the caller).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from policyqa.training.handout import Bullets, Handout, Heading, Para, Quote
from policyqa.training.wording import phrase, source_line
from policyqa.types import Answer, Citation, Document, Passage

Turn = tuple[str, Answer]


def _source(citation: Citation, documents: Mapping[str, Document]) -> str:
    doc = documents.get(citation.doc_id)
    if doc is None:  # the citation carries what the answer showed: enough to find the passage
        doc = Document(
            id=citation.doc_id,
            title=citation.title,
            short_title=citation.title,
            symbol=citation.symbol,
            lang=citation.lang,
            family="",
            path="",
        )
    return f"{citation.marker} {source_line(doc, citation.doc_id, citation.locator, citation.pages, citation.passage_id)}"


def _quote(citation: Citation, passages: Mapping[str, Passage]) -> str:
    if citation.quote.strip():
        return citation.quote
    passage = passages.get(citation.passage_id)  # an LLM citation may carry no span: show the passage's start
    if passage is None:
        return ""
    words = passage.text.split()
    return " ".join(words[:60]) + (" …" if len(words) > 60 else "")


def transcript_handout(
    turns: Sequence[Turn],
    lang: str | None = None,
    title: str | None = None,
    documents: Mapping[str, Document] | None = None,
    passages: Mapping[str, Passage] | None = None,
    date: str | None = None,
) -> Handout:
    documents = documents or {}
    passages = passages or {}
    lang = lang or next((a.lang for _, a in turns if a.lang in ("fr", "en")), "fr")
    blocks: list = []
    if not turns:
        blocks.append(Para(phrase(lang, "transcript_empty")))
    for n, (question, answer) in enumerate(turns, 1):
        blocks.append(Heading(phrase(lang, "transcript_turn", n=n)))
        blocks.append(Para(question))
        blocks.append(Heading(f"{phrase(lang, 'transcript_answer')} ({phrase(lang, 'transcript_mode', mode=answer.mode)})", 2))
        for line in answer.text.split("\n"):  # the answer's own lines: lead, quote, "see also" list
            if line.strip():
                blocks.append(Para(line))
        for sentence in answer.unsupported:
            blocks.append(Para(phrase(lang, "transcript_unsupported", sentence=sentence), emphasis=True))
        if answer.citations:
            blocks.append(Heading(phrase(lang, "transcript_sources"), 2))
            for c in answer.citations:
                quote = _quote(c, passages)
                note = phrase(lang, "only_in") if c.lang != lang else ""
                if quote:
                    blocks.append(Quote(quote, _source(c, documents), c.lang, note, c.passage_id))
                else:
                    blocks.append(Para(_source(c, documents)))
        if answer.see_also:
            blocks.append(Heading(phrase(lang, "transcript_see_also"), 2))
            blocks.append(Bullets(tuple(_source(c, documents) for c in answer.see_also)))
    heading = title or phrase(lang, "transcript_title")
    return Handout(heading, lang, tuple(blocks), phrase(lang, "transcript_subtitle", date=date or dt.date.today().isoformat()), heading)
