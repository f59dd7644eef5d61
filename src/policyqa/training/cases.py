"""Case exercises for magistrates: a short fact pattern, what the law requires, and an answer
key that cites the controlling provisions and says why each distractor does not apply.

The cases are written, in French and in English, from the provisions they cite (the files in
`training/cases/`, and how they were written in their README). Nothing is shown unchecked: a
case is offered only when every provision it cites is in the index under that document and
locator, and every quote (of the controlling provisions and of the legal elements the facts
raise) is that passage's own words. A case that fails is left out and named in `problems`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib import resources

from policyqa.retrieve.backend import SearchBackend
from policyqa.training.naming import Naming
from policyqa.training.wording import binding
from policyqa.types import Document, Passage

LANGS = ("fr", "en")


@dataclass(frozen=True)
class Cited:
    doc_id: str
    locator: str
    quote: str
    element: str = ""  # for a legal element of the facts: the element, in the case's language


@dataclass(frozen=True)
class Option:
    label: str
    text: str
    correct: bool
    explanation: str


@dataclass(frozen=True)
class Case:
    id: str
    lang: str
    title: str
    topic: str
    facts: str
    question: str
    options: tuple[Option, ...]
    provisions: tuple[Cited, ...]
    elements: tuple[Cited, ...]

    @property
    def answer(self) -> Option:
        return next(o for o in self.options if o.correct)


@dataclass(frozen=True)
class Checked:
    """A cited quote found in its passage."""

    cited: Cited
    passage: Passage
    document: Document


@dataclass(frozen=True)
class CaseSet:
    lang: str
    cases: tuple[Case, ...]
    sources: dict  # case id -> (provisions: tuple[Checked], elements: tuple[Checked])
    problems: tuple[str, ...]  # cases left out, and why
    naming: Naming | None = field(default=None, compare=False)  # the index's names, for the cases' reader

    @property
    def names(self) -> Naming:
        return self.naming or Naming(self.lang)


def _cited(data: dict) -> Cited:
    return Cited(data["doc_id"], data["locator"], data["quote"], data.get("element", ""))


def load_cases(lang: str) -> tuple[Case, ...]:
    if lang not in LANGS:
        raise ValueError(f"no case exercises in '{lang}': {', '.join(LANGS)}")
    raw = json.loads(resources.files("policyqa.training").joinpath(f"cases/cases.{lang}.json").read_text(encoding="utf-8"))
    return tuple(
        Case(
            c["id"],
            c["lang"],
            c["title"],
            c["topic"],
            c["facts"],
            c["question"],
            tuple(Option(o["label"], o["text"], bool(o["correct"]), o["explanation"]) for o in c["options"]),
            tuple(_cited(p) for p in c["provisions"]),
            tuple(_cited(e) for e in c["elements"]),
        )
        for c in raw
    )


def _collapsed(text: str) -> str:
    return " ".join(text.split())


def find(cited: Cited, index: SearchBackend) -> Checked | str:
    """The passage that holds the quote, or why there is none."""
    document = index.documents.get(cited.doc_id)
    if document is None:
        return f"{cited.doc_id} is not in the index"
    quote = _collapsed(cited.quote)
    candidates = [p for p in index.passages if p.doc_id == cited.doc_id and p.locator == cited.locator]
    if not candidates:
        return f"{cited.doc_id} has no passage at {cited.locator}"
    for passage in candidates:
        if quote in _collapsed(passage.text):
            return Checked(cited, passage, document)
    return f"the quote from {cited.doc_id}, {cited.locator} is not its text: “{quote[:80]}…”"


def check(case: Case, index: SearchBackend) -> tuple[list[str], tuple[Checked, ...], tuple[Checked, ...]]:
    problems = []
    if sum(o.correct for o in case.options) != 1:
        problems.append("not exactly one correct option")
    if any(not o.explanation.strip() for o in case.options):
        problems.append("an option without its explanation")
    found = {"provisions": [], "elements": []}
    for part in ("provisions", "elements"):
        for cited in getattr(case, part):
            result = find(cited, index)
            if isinstance(result, str):
                problems.append(result)
            else:
                found[part].append(result)
    # Binding provisions first, whatever order they were written in: a magistrate applies a
    # treaty; a resolution or the Compact informs.
    provisions = tuple(sorted(found["provisions"], key=lambda c: not binding(c.document)))
    return problems, provisions, tuple(found["elements"])


def case_set(index: SearchBackend, lang: str, topic: str | None = None) -> CaseSet:
    """The cases in `lang` (of one topic, when given) whose every citation checks."""
    kept, sources, problems = [], {}, []
    for case in load_cases(lang):
        if topic and case.topic != topic:
            continue
        found, provisions, elements = check(case, index)
        if found:
            problems.append(f"{case.id}: {'; '.join(found)}")
            continue
        kept.append(case)
        sources[case.id] = (provisions, elements)
    return CaseSet(lang, tuple(kept), sources, tuple(problems), Naming(lang, index.documents, index.catalogue))


def topics(lang: str) -> tuple[str, ...]:
    return tuple(sorted({c.topic for c in load_cases(lang)}))
