"""Packs, quizzes and session records laid out as handouts (blocks), in the material's
language. The renderers then print the same blocks as Markdown and as PDF."""

from __future__ import annotations

import datetime as dt

from policyqa.training.handout import Bullets, Handout, Heading, Para, Quote, quote_marks
from policyqa.training.pack import Pack
from policyqa.training.quiz import Quiz
from policyqa.training.wording import binding, doc_name, nature, phrase, source_line
from policyqa.types import Document


def today() -> str:
    return dt.date.today().isoformat()


def _doc_heading(doc: Document) -> str:
    symbol = f" — {doc.symbol}" if doc.symbol and doc.symbol not in doc.title else ""
    return f"{doc.title}{symbol}"


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
    blocks.append(Heading(phrase(lang, "provisions")))
    blocks.append(Para(phrase(lang, "provisions_intro", n=len(pack.provisions), m=len(pack.groups))))
    # Treaties first (they bind), then the texts that guide; by relevance within each.
    for group in sorted(pack.groups, key=lambda g: not binding(g.document)):
        blocks.append(Heading(f"{_doc_heading(group.document)} ({nature(group.document, lang)})", 2))
        for p in group.provisions:
            passage = p.passage
            note = phrase(lang, "only_in") if passage.lang != lang else ""
            if p.also_in:
                also = "; ".join(f"{doc_name(documents[a.doc_id]) if a.doc_id in documents else a.doc_id}, {a.locator}" for a in p.also_in)
                note = f"{note} {phrase(lang, 'also_in', where=also)}".strip()
            blocks.append(
                Quote(p.quote, source_line(group.document, passage.doc_id, passage.locator, passage.pages), passage.lang, note, passage.id)
            )
    blocks.append(Heading(phrase(lang, "definitions")))
    if pack.definitions:
        blocks.append(Para(phrase(lang, "definitions_intro")))
        for d in pack.definitions:
            doc = documents.get(d.passage.doc_id)
            blocks.append(Heading(phrase(lang, "defined_term", term=d.term), 2))
            blocks.append(
                Quote(
                    d.quote,
                    source_line(doc, d.passage.doc_id, d.passage.locator, d.passage.pages),
                    d.passage.lang,
                    phrase(lang, "only_in") if d.passage.lang != lang else "",
                    d.passage.id,
                )
            )
    else:
        blocks.append(Para(phrase(lang, "definitions_none")))
    blocks.append(Heading(phrase(lang, "links")))
    if pack.links:
        blocks.append(Para(phrase(lang, "links_intro")))
        for link in pack.links:
            source = documents.get(link.passage.doc_id)
            blocks.append(
                Heading(
                    phrase(
                        lang,
                        "link",
                        source=doc_name(source) if source else link.passage.doc_id,
                        locator=link.passage.locator,
                        target=doc_name(link.target),
                    ),
                    2,
                )
            )
            blocks.append(
                Quote(
                    link.quote,
                    source_line(source, link.passage.doc_id, link.passage.locator, link.passage.pages),
                    link.passage.lang,
                    phrase(lang, "only_in") if link.passage.lang != lang else "",
                    link.passage.id,
                )
            )
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
        blocks.append(Heading(phrase(lang, "quiz_answers")))
        for n, item in enumerate(quiz.items, 1):
            c = item.citation
            doc_line = source_line(None, c.title, c.locator, c.pages)
            if c.symbol and c.symbol != c.title:
                doc_line = doc_line.replace(c.title, f"{c.title} ({c.symbol})", 1)
            blocks.append(
                Heading(phrase(lang, "quiz_answer", n=n, letter=LETTERS[item.answer], choice=_short(item.choices[item.answer])), 2)
            )
            blocks.append(Quote(c.quote, doc_line, c.lang, phrase(lang, "only_in") if c.lang != lang else "", c.passage_id))
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
