"""Case exercises laid out as a handout (and as JSON for the chat page and other tools):
the cases first, then the key, where each answer is explained, each distractor answered,
and each controlling provision quoted with its legal nature, binding texts first."""

from __future__ import annotations

from policyqa.training.cases import Case, CaseSet, Checked, topics
from policyqa.training.handout import Bullets, Handout, Heading, Para, Quote
from policyqa.training.naming import Naming
from policyqa.training.wording import binding, nature, phrase


def where(checked: Checked, names: Naming) -> str:
    """Name (symbol), provision and page, for the cases' reader, and the text's legal nature;
    no internal id."""
    return f"{names.source(checked.document, checked.passage)} — {nature(checked.document, names.lang)}"


def cases_handout(cases: CaseSet, answers: bool = True, date: str = "") -> Handout:
    lang = cases.lang
    title = phrase(lang, "cases_title")
    blocks: list = []
    if not cases.cases:
        blocks.append(Para(phrase(lang, "cases_none", topics=", ".join(topics(lang)))))
        return Handout(title, lang, tuple(blocks), phrase(lang, "cases_subtitle", date=date), title)
    blocks.append(Para(phrase(lang, "cases_intro", n=len(cases.cases))))
    for n, case in enumerate(cases.cases, 1):
        blocks += [
            Heading(phrase(lang, "case_heading", n=n, title=case.title)),
            Heading(phrase(lang, "case_facts"), 2),
            Para(case.facts),
            Heading(phrase(lang, "case_question"), 2),
            Para(case.question),
            Bullets(tuple(f"{o.label}. {o.text}" for o in case.options), labelled=True),
        ]
    if answers:
        blocks.append(Heading(phrase(lang, "cases_key")))
        for n, case in enumerate(cases.cases, 1):
            blocks += _key(n, case, cases.sources[case.id], cases.names)
    return Handout(title, lang, tuple(blocks), phrase(lang, "cases_subtitle", date=date), title)


def _key(n: int, case: Case, sources: tuple[tuple[Checked, ...], tuple[Checked, ...]], names: Naming) -> list:
    provisions, elements = sources
    lang = names.lang
    right = case.answer
    blocks: list = [
        Heading(phrase(lang, "case_answer", n=n, letter=right.label), 2),
        Para(phrase(lang, "labelled", label=phrase(lang, "case_why"), text=right.explanation)),
    ]
    for option in case.options:
        if not option.correct:
            blocks.append(Para(phrase(lang, "labelled", label=phrase(lang, "case_why_not", letter=option.label), text=option.explanation)))
    blocks.append(Para(phrase(lang, "case_provisions"), emphasis=True))
    for checked in provisions:
        passage = checked.passage
        blocks.append(Quote(checked.cited.quote, where(checked, names), passage.lang, names.note(passage)))
    if elements:
        blocks.append(Para(phrase(lang, "case_elements"), emphasis=True))
        blocks.append(Bullets(tuple(f"{e.cited.element} — {names.name(e.document)}, {names.label(e.passage)}" for e in elements)))
    return blocks


def cases_json(cases: CaseSet, answers: bool = True) -> dict:
    items = []
    names = cases.names
    for case in cases.cases:
        entry: dict = {
            "id": case.id,
            "title": case.title,
            "topic": case.topic,
            "facts": case.facts,
            "question": case.question,
            "options": [{"label": o.label, "text": o.text} for o in case.options],
        }
        if answers:
            provisions, elements = cases.sources[case.id]
            entry |= {
                "answer": case.answer.label,
                "explanations": {o.label: o.explanation for o in case.options},
                "provisions": [
                    {
                        "doc_id": c.cited.doc_id,
                        "title": c.document.short_title or c.document.title,
                        "symbol": c.document.symbol,
                        "locator": c.cited.locator,
                        "label": names.label(c.passage),
                        "document_name": names.name(c.document),
                        "pages": c.passage.pages,
                        "passage_id": c.passage.id,
                        "quote": c.cited.quote,
                        "binding": binding(c.document),
                        "nature": nature(c.document, cases.lang),
                    }
                    for c in provisions
                ],
                "elements": [
                    {
                        "element": e.cited.element,
                        "doc_id": e.cited.doc_id,
                        "locator": e.cited.locator,
                        "label": names.label(e.passage),
                        "document_name": names.name(e.document),
                        "quote": e.cited.quote,
                    }
                    for e in elements
                ],
            }
        items.append(entry)
    return {"lang": cases.lang, "count": len(items), "cases": items, "left_out": list(cases.problems)}
