"""Quizzes built from the corpus's own structure and words, never from invented facts.

Four kinds of item, each answered by one passage that the item cites:
- `gcm-objective`: a commitment quoted from a GCM objective; choices are objective titles;
- `definition`: a definition quoted from its article; choices are instruments;
- `operative-paragraph`: which opening matches operative paragraph N of a resolution;
  the distractors are the openings of other operative paragraphs of the same resolution;
- `article`: a provision quoted from a treaty; choices are articles of that treaty.
Items follow the topic's ranking; the seed only draws distractors and shuffles choices, so
the same topic, index and seed always give the same quiz.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

from policyqa.answer.citations import Source, make_citation
from policyqa.answer.locators import structure
from policyqa.answer.relevance import AnswerSettings
from policyqa.retrieve.retriever import Retriever
from policyqa.training.definitions import in_passages
from policyqa.training.material import Material, gather, near_duplicate
from policyqa.training.naming import Naming
from policyqa.training.pack import relevant_definitions
from policyqa.types import Citation, Document, Passage

KINDS = ("definition", "article", "gcm-objective", "operative-paragraph")
CHOICES = 4
_OBJECTIVE = re.compile(r"^Objective (\d+)\b")
_OP = re.compile(r"^op\. (\d+)\b")
# How a GCM objective's paragraph opens, in the English and the French text.
_COMMITMENT = ("We commit", "Nous nous engageons")
# Where a provision's first sentence ends: French typography puts a space before « ; » and « : »
# and may end a sentence on an accented letter or a closing quote mark.
_SENTENCE_END = {
    "en": re.compile(r"(?<=[a-z)])[.;:](?=\s|$)"),
    "fr": re.compile(r"(?<=[a-zà-ÿœ)»])[ \u00a0\u202f]?[.;:](?=\s|$)"),
}
_ARTICLE = re.compile(r"^(Article [0-9IVXL]+|Article premier)\b")


@dataclass(frozen=True)
class QuizItem:
    kind: str
    quote: str  # verbatim text shown with the question ("" when the question needs none)
    quote_lang: str
    subject: dict[str, str]  # what the question template is filled with (term, paragraph, title…)
    choices: tuple[str, ...]
    answer: int  # index into choices
    citation: Citation  # the passage that answers it
    # Where every choice comes from (a passage id, or a document id for an instrument), so a
    # trainer can check the distractors as well as the answer.
    choice_sources: tuple[str, ...]


@dataclass(frozen=True)
class Quiz:
    topic: str
    lang: str
    covered: bool
    items: tuple[QuizItem, ...]
    seed: int
    best_score: float
    doc_ids: tuple[str, ...] = ()
    naming: Naming | None = field(default=None, compare=False)  # the index's names, for the quiz's reader

    @property
    def names(self) -> Naming:
        return self.naming or Naming(self.lang)


def _clip(text: str, words: int) -> str:
    parts = " ".join(text.split()).split()
    return " ".join(parts) if len(parts) <= words else " ".join(parts[:words]) + " …"


def _first_sentence(text: str, words: int = 45, lang: str = "en") -> str:
    line = " ".join(text.split("\n")[0].split())
    end = _SENTENCE_END.get(lang, _SENTENCE_END["en"]).search(line)
    return _clip(line[: end.end()] if end else line, words)


def _objective(p: Passage) -> int | None:
    """The GCM objective a passage sits under, read from its structure (« Objectif 13 › par. 29 »
    as "Objective 13 › para 29"); the English wording for a locator of another shape."""
    where = structure(p)
    if where is not None:
        return where.objective
    found = _OBJECTIVE.match(p.locator)
    return int(found.group(1)) if found else None


def _operative(p: Passage) -> int | None:
    """The number of a resolution's own operative paragraph (« par. 5 » as "op. 5"), from its
    section key; not a paragraph of a text the resolution adopts ("resolution op. 1")."""
    where = structure(p)
    if where is not None:
        return int(where.number) if where.unit == "op" and not where.scope else None
    found = _OP.match(p.locator)
    return int(found.group(1)) if found else None


def _shuffle(rng: random.Random, right: tuple[str, str], wrong: list[tuple[str, str]]) -> tuple[tuple[str, ...], int, tuple[str, ...]]:
    options = [right, *wrong]
    rng.shuffle(options)
    return tuple(o[0] for o in options), options.index(right), tuple(o[1] for o in options)


class _Builder:
    def __init__(self, material: Material, passages: tuple[Passage, ...], seed: int, names: Naming) -> None:
        self.material = material
        self.names = names
        self.passages = [p for p in passages if not material.doc_ids or p.doc_id in material.doc_ids]
        self.documents = material.documents
        self.rng = random.Random(seed)
        self.used: set[str] = set()  # passages already asked about

    def definition_items(self) -> list[QuizItem]:
        items = []
        definitions = relevant_definitions(self.material, tuple(self.passages), limit=50)
        all_definitions = in_passages(self.passages)
        instruments = [
            d
            for d in self.documents.values()
            if d.family in ("treaty", "gcm", "udhr", "declaration") and any(p.doc_id == d.id for p in self.passages)
        ]
        for d in definitions:
            self.used.add(d.passage.id)
            same_term = {e.passage.doc_id for e in all_definitions if e.term.lower() == d.term.lower()}
            groups = {self.documents[i].parallel_group for i in same_term if i in self.documents}
            pool = [doc for doc in instruments if doc.id not in same_term and not (doc.parallel_group and doc.parallel_group in groups)]
            pool = _one_per_group(pool)
            if len(pool) < CHOICES - 1 or d.passage.doc_id not in self.documents:
                continue
            wrong = [(self._instrument(doc), doc.id) for doc in self.rng.sample(pool, CHOICES - 1)]
            right = (self._instrument(self.documents[d.passage.doc_id]), d.passage.doc_id)
            choices, answer, sources = _shuffle(self.rng, right, wrong)
            items.append(
                QuizItem(
                    "definition",
                    d.quote,
                    d.passage.lang,
                    {"term": d.term},
                    choices,
                    answer,
                    self._citation(d.passage, d.quote),
                    sources,
                )
            )
        return items

    def article_items(self) -> list[QuizItem]:
        items = []
        for p in self._relevant(lambda p: self._family(p) == "treaty" and _ARTICLE.match(p.locator)):
            article = _ARTICLE.match(p.locator).group(1)
            others = sorted(
                {m.group(1) for q in self.passages if q.doc_id == p.doc_id and (m := _ARTICLE.match(q.locator)) and m.group(1) != article},
                key=_article_key,
            )
            if len(others) < CHOICES - 1:
                continue
            quote = _clip(p.text.split("\n")[0], 45)  # the article's opening words, as a reader meets them
            if re.search(rf"\b{re.escape(article)}\b", quote, re.I):
                continue  # the quote would give its own number away
            doc = self.documents[p.doc_id]
            drawn = self.rng.sample(others, CHOICES - 1)
            wrong = [(self.names.article(doc, a), _article_passage(self.passages, p.doc_id, a)) for a in drawn]
            choices, answer, sources = _shuffle(self.rng, (self.names.article(doc, article), p.id), wrong)
            items.append(
                QuizItem(
                    "article",
                    quote,
                    p.lang,
                    {"instrument": self._instrument(doc)},
                    choices,
                    answer,
                    self._citation(p, quote),
                    sources,
                )
            )
        return items

    def objective_items(self) -> list[QuizItem]:
        titles = {}
        for q in self.passages:
            n = _objective(q)
            # The heading "Objective 13: …", « Objectif 13 : … » in French typography.
            if n is not None and self._family(q) == "gcm" and re.match(rf"(?:Objective|Objectif) {n} ?:", q.context):
                titles.setdefault(n, (self.names.objective(q.context), q.id))
        items, asked = [], set()
        for p in self._relevant(lambda p: self._family(p) == "gcm" and _objective(p) is not None):
            number = _objective(p)
            lead = next(
                (q for q in self.passages if q.doc_id == p.doc_id and _objective(q) == number and q.text.startswith(_COMMITMENT)),
                None,
            )
            if number in asked or lead is None or number not in titles or len(titles) < CHOICES:
                continue
            asked.add(number)
            self.used.add(lead.id)
            quote = _first_sentence(lead.text, lang=lead.lang)
            wrong = [titles[n] for n in self.rng.sample(sorted(set(titles) - {number}), CHOICES - 1)]
            choices, answer, sources = _shuffle(self.rng, (titles[number][0], lead.id), wrong)
            items.append(QuizItem("gcm-objective", quote, lead.lang, {}, choices, answer, self._citation(lead, quote), sources))
        return items

    def operative_items(self) -> list[QuizItem]:
        items, asked = [], set()
        for p in self._relevant(lambda p: self._family(p) == "unga-resolution" and _operative(p) is not None):
            number = _operative(p)
            if (p.doc_id, number) in asked:
                continue
            # Every choice is the opening of a paragraph (its first passage), so a sub-item's
            # "(c)" never marks the right answer out from the distractors.
            openings: dict[int, Passage] = {}
            for q in self.passages:
                n = _operative(q)
                if q.doc_id == p.doc_id and n is not None:
                    openings.setdefault(n, q)
            p = openings[number]
            del openings[number]
            if len(openings) < CHOICES - 1:
                continue
            asked.add((p.doc_id, number))
            self.used.add(p.id)
            quote = _first_sentence(p.text, 30, p.lang)
            drawn = self.rng.sample(sorted(openings), CHOICES - 1)
            wrong = [(_first_sentence(openings[n].text, 30, p.lang), openings[n].id) for n in drawn]
            if any(w[0] == quote for w in wrong):
                continue
            doc = self.documents[p.doc_id]
            choices, answer, sources = _shuffle(self.rng, (quote, p.id), wrong)
            items.append(
                QuizItem(
                    "operative-paragraph",
                    "",
                    p.lang,
                    {"paragraph": str(number), "resolution": doc.symbol or doc.id, "title": self.names.title(doc)},
                    choices,
                    answer,
                    self._citation(p, quote),
                    sources,
                )
            )
        return items

    def _citation(self, p: Passage, quote: str) -> Citation:
        """Made for the quiz's reader, as an answer's: the label and the name in its language."""
        return make_citation(1, Source(p, quote), self.documents.get(p.doc_id), self.names.lang, self.names.catalogue)

    def _instrument(self, doc: Document) -> str:
        name = self.names.name(doc)
        return f"{name} ({doc.symbol})" if doc.symbol and doc.symbol not in name else name

    def _family(self, p: Passage) -> str:
        doc = self.documents.get(p.doc_id)
        return doc.family if doc else ""

    def _relevant(self, keep) -> list[Passage]:
        found = [p for p in self.material.relevant if keep(p) and p.id not in self.used]
        for p in found:
            self.used.add(p.id)
        return found


def _answer_text(item: QuizItem) -> str:
    return item.quote or item.choices[item.answer]


def _one_per_group(docs: list[Document]) -> list[Document]:
    seen, out = set(), []
    for d in sorted(docs, key=lambda d: (d.lang != "en", d.id)):
        key = d.parallel_group or d.id
        if key not in seen:
            seen.add(key)
            out.append(d)
    return sorted(out, key=lambda d: d.id)


def _article_key(article: str) -> tuple[int, str]:
    number = article.split()[-1]
    if number.isdigit():
        return int(number), ""
    roman = {"I": 1, "V": 5, "X": 10, "L": 50}
    total = 0
    for a, b in zip(number, number[1:] + " "):
        total += -roman.get(a, 0) if roman.get(a, 0) < roman.get(b, 0) else roman.get(a, 0)
    return total, number


def _article_passage(passages: list[Passage], doc_id: str, article: str) -> str:
    return next(
        p.id for p in passages if p.doc_id == doc_id and _ARTICLE.match(p.locator) and _ARTICLE.match(p.locator).group(1) == article
    )


def build_quiz(
    retriever: Retriever,
    topic: str,
    lang: str,
    count: int = 10,
    seed: int = 0,
    doc_ids: tuple[str, ...] = (),
    settings: AnswerSettings = AnswerSettings(),
) -> Quiz:
    material = gather(retriever, topic, lang, doc_ids, settings)
    names = Naming(lang, retriever.index.documents, retriever.index.catalogue)
    if not material.covered:
        return Quiz(material.topic.topic, lang, False, (), seed, round(material.best, 3), tuple(doc_ids), names)
    builder = _Builder(material, tuple(retriever.index.passages), seed, names)
    pools = [builder.definition_items(), builder.article_items(), builder.objective_items(), builder.operative_items()]
    items: list[QuizItem] = []
    while len(items) < count and any(pools):
        for pool in pools:  # one of each kind in turn, best-ranked first
            while pool and len(items) < count:
                item = pool.pop(0)
                # A resolution that repeats its predecessor, or the two Protocols' twin articles,
                # would ask the same question twice.
                if not any(near_duplicate(_answer_text(item), _answer_text(i)) for i in items):
                    items.append(item)
                    break
    return Quiz(material.topic.topic, lang, True, tuple(items), seed, round(material.best, 3), tuple(doc_ids), names)
