"""A session record: the questions put to policyqa during a session and the answers it gave,
with every citation resolved to its document, provision, page and verbatim quote.

It takes plain (question, Answer) pairs, so it works with any store of conversations (the
API's ConversationStore turns are turned into pairs by the caller).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from policyqa.training.handout import Bullets, Handout, Heading, Para, Quote
from policyqa.training.naming import Naming, source_line
from policyqa.training.wording import phrase
from policyqa.types import Answer, Citation, Document, Passage

Turn = tuple[str, Answer]


def _source(c: Citation, answer: Answer, names: Naming, passages: Mapping[str, Passage]) -> str:
    """The citation's provision and document named for the record's reader: as the answer named
    them when the record is in the answer's language, else written again from the passage and
    the index (the citation's own locator and title when neither is at hand)."""
    same = answer.lang == names.lang
    passage = passages.get(c.passage_id)
    provision = c.label if same and c.label else names.label(passage) if passage else c.locator
    doc = names.held.get(c.doc_id)
    name = c.document_name if same and c.document_name else names.name(doc, c.title) if doc else c.title
    return f"{c.marker} {source_line(name, doc.symbol if doc else c.symbol, provision, c.pages, c.passage_id)}"


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
    passages = passages or {}
    lang = lang or next((a.lang for _, a in turns if a.lang in ("fr", "en")), "fr")
    names = Naming(lang, documents or {}, documents or {})
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
                source = _source(c, answer, names, passages)
                if quote:
                    blocks.append(Quote(quote, source, c.lang, names.cited_note(c), c.passage_id))
                else:
                    blocks.append(Para(source))
        if answer.see_also:
            blocks.append(Heading(phrase(lang, "transcript_see_also"), 2))
            blocks.append(Bullets(tuple(_source(c, answer, names, passages) for c in answer.see_also)))
    heading = title or phrase(lang, "transcript_title")
    return Handout(heading, lang, tuple(blocks), phrase(lang, "transcript_subtitle", date=date or dt.date.today().isoformat()), heading)
