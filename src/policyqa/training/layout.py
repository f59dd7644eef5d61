"""Packs, quizzes and session records laid out as handouts (blocks), in the material's
language. The renderers then print the same blocks as Markdown and as PDF."""

from __future__ import annotations

import datetime as dt

from policyqa.training.handout import Bullets, Handout, Heading, Para, Quote, quote_marks
from policyqa.training.naming import Naming, capital, source_line
from policyqa.training.pack import Pack
from policyqa.training.quiz import Quiz
from policyqa.training.wording import binding, nature, phrase
from policyqa.types import Document


def today() -> str:
    return dt.date.today().isoformat()


def _doc_heading(doc: Document, names: Naming) -> str:
    title = names.title(doc)
    symbol = f" — {doc.symbol}" if doc.symbol and doc.symbol not in title else ""
    return f"{title}{symbol}"


def pack_handout(pack: Pack, date: str | None = None) -> Handout:
    lang = pack.lang
    title = phrase(lang, "pack_title", topic=pack.topic)
    head = phrase(lang, "running_head", topic=pack.topic)
    blocks: list = []
    if pack.doc_ids:
        blocks.append(Para(phrase(lang, "filtered", docs=", ".join(pack.doc_ids)), emphasis=True))
    if not pack.covered:
        blocks += [Para(phrase(lang, "not_covered")), Para(phrase(lang, "not_covered_hint")), _method(pack)]
        return Handout(title, lang, tuple(blocks), phrase(lang, "pack_subtitle", date=date or today()), head)
    if pack.other_language:
        blocks.append(Para(phrase(lang, "other_language"), emphasis=True))
    documents = {d.id: d for d in pack.documents}
    names = pack.names
    blocks.append(Heading(phrase(lang, "provisions")))
    blocks.append(Para(phrase(lang, "provisions_intro", n=len(pack.provisions), m=len(pack.groups))))
    # Treaties first (they bind), then the texts that guide; by relevance within each.
    for group in sorted(pack.groups, key=lambda g: not binding(g.document)):
        blocks.append(Heading(f"{_doc_heading(group.document, names)} ({nature(group.document, lang)})", 2))
        for p in group.provisions:
            passage = p.passage
            note = names.note(passage)
            if p.also_in:
                also = "; ".join(f"{names.name(documents.get(a.doc_id), a.doc_id)}, {names.label(a)}" for a in p.also_in)
                note = f"{note} {phrase(lang, 'also_in', where=also)}".strip()
            blocks.append(Quote(p.quote, names.source(group.document, passage), passage.lang, note, passage.id))
    blocks.append(Heading(phrase(lang, "definitions")))
    if pack.definitions:
        blocks.append(Para(phrase(lang, "definitions_intro")))
        for d in pack.definitions:
            doc = documents.get(d.passage.doc_id)
            blocks.append(Heading(phrase(lang, "defined_term", term=d.term), 2))
            blocks.append(Quote(d.quote, names.source(doc, d.passage), d.passage.lang, names.note(d.passage), d.passage.id))
    else:
        blocks.append(Para(phrase(lang, "definitions_none")))
    blocks.append(Heading(phrase(lang, "links")))
    if pack.links:
        blocks.append(Para(phrase(lang, "links_intro")))
        for link in pack.links:
            source = documents.get(link.passage.doc_id)
            heading = phrase(
                lang,
                "link",
                source=capital(names.in_text(source, link.passage.doc_id)),
                locator=names.label(link.passage),
                target=names.to(link.target),
            )
            blocks.append(Heading(heading, 2))
            passage = link.passage
            blocks.append(Quote(link.quote, names.source(source, passage), passage.lang, names.note(passage), passage.id))
    else:
        blocks.append(Para(phrase(lang, "links_none")))
    blocks.append(Heading(phrase(lang, "questions")))
    blocks.append(Bullets(pack.questions, numbered=True))
    blocks += [Heading(phrase(lang, "method"), 2), _method(pack)]
    return Handout(title, lang, tuple(blocks), phrase(lang, "pack_subtitle", date=date or today()), head)


def _method(pack: Pack) -> Para:
    """What was searched, so a trainer can judge what the pack does (and does not) hold."""
    marks = ("« ", " »") if pack.lang == "fr" else ("“", "”")
    searched = (" ; " if pack.lang == "fr" else "; ").join(f"{marks[0]}{q}{marks[1]}" for q in pack.queries)
    return Para(phrase(pack.lang, "method_text", queries=searched, per=pack.per_instrument), emphasis=True)


LETTERS = "ABCDEFGH"


def quiz_handout(quiz: Quiz, answers: bool = True, date: str | None = None) -> Handout:
    """Questions first, then (with answers) the key, where each answer's passage is quoted with
    its source; without answers nothing in the handout gives them away."""
    lang = quiz.lang
    blocks: list = []
    subtitle = phrase(lang, "quiz_subtitle" if answers else "quiz_subtitle_plain", date=date or today(), seed=quiz.seed)
    head = phrase(lang, "running_head", topic=quiz.topic)
    if quiz.doc_ids:
        blocks.append(Para(phrase(lang, "filtered", docs=", ".join(quiz.doc_ids)), emphasis=True))
    if not quiz.covered or not quiz.items:
        blocks.append(Para(phrase(lang, "quiz_not_covered")))
        return Handout(phrase(lang, "quiz_title", topic=quiz.topic), lang, tuple(blocks), subtitle, head)
    kinds = []
    for item in quiz.items:
        name = phrase(lang, f"kind_name_{item.kind}")
        if name not in kinds:
            kinds.append(name)
    blocks.append(Para(phrase(lang, "quiz_count", n=len(quiz.items), kinds=", ".join(kinds))))
    if any(item.quote_lang != lang for item in quiz.items):
        blocks.append(Para(phrase(lang, "quiz_other_language"), emphasis=True))
    blocks.append(Heading(phrase(lang, "quiz_questions")))
    for n, item in enumerate(quiz.items, 1):
        blocks.append(Heading(phrase(lang, "quiz_item", n=n), 2))
        blocks.append(Para(phrase(lang, f"q_kind_{item.kind}", **item.subject)))
        if item.quote:
            opening, closing = quote_marks(item.quote_lang)
            blocks.append(Para(f"{opening}{item.quote}{closing}"))
        blocks.append(Bullets(tuple(f"{LETTERS[i]}. {c}" for i, c in enumerate(item.choices)), labelled=True))
    if answers:
        names = quiz.names
        blocks.append(Heading(phrase(lang, "quiz_answers")))
        for n, item in enumerate(quiz.items, 1):
            c = item.citation
            # The citation was made for the quiz's reader: its label and name are in the quiz's language.
            doc_line = source_line(c.document_name or c.title, c.symbol, c.label or c.locator, c.pages)
            blocks.append(
                Heading(phrase(lang, "quiz_answer", n=n, letter=LETTERS[item.answer], choice=_short(item.choices[item.answer])), 2)
            )
            blocks.append(Quote(c.quote, doc_line, c.lang, names.cited_note(c), c.passage_id))
    return Handout(phrase(lang, "quiz_title", topic=quiz.topic), lang, tuple(blocks), subtitle, head)


def _short(text: str, words: int = 16) -> str:
    parts = text.split()
    return text if len(parts) <= words else " ".join(parts[:words]) + " …"


def quiz_json(quiz: Quiz, answers: bool = True) -> dict:
    items = []
    for n, item in enumerate(quiz.items, 1):
        entry = {
            "n": n,
            "kind": item.kind,
            "question": phrase(quiz.lang, f"q_kind_{item.kind}", **item.subject),
            "quote": item.quote,
            "quote_lang": item.quote_lang,
            "choices": list(item.choices),
        }
        if answers:
            c = item.citation
            entry |= {
                "answer": LETTERS[item.answer],
                "answer_index": item.answer,
                "citation": {
                    "passage_id": c.passage_id,
                    "doc_id": c.doc_id,
                    "title": c.title,
                    "symbol": c.symbol,
                    "locator": c.locator,
                    "pages": c.pages,
                    "quote": c.quote,
                    "lang": c.lang,
                    "label": c.label,
                    "document_name": c.document_name,
                },
                "choice_sources": list(item.choice_sources),
            }
        items.append(entry)
    return {
        "topic": quiz.topic,
        "lang": quiz.lang,
        "covered": quiz.covered,
        "seed": quiz.seed,
        "answers": answers,
        "doc_ids": list(quiz.doc_ids),
        "items": items,
    }
