"""A topic pack: the key provisions on a topic grouped by instrument, the definitions of the
terms involved, the links between instruments, and discussion questions about them.

The pack holds data only; `layout.py` turns it into a handout in the pack's language.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from policyqa.answer.relevance import AnswerSettings
from policyqa.retrieve.retriever import Retriever
from policyqa.training import definitions, links
from policyqa.training.definitions import Definition
from policyqa.training.discussion import discussion_questions
from policyqa.training.links import Link
from policyqa.training.material import PER_INSTRUMENT, Material, Provision, gather, mentions_keyword, stems
from policyqa.training.naming import Naming
from policyqa.types import Document, Passage

MAX_DEFINITIONS = 5
MAX_LINKS = 6


@dataclass(frozen=True)
class InstrumentGroup:
    document: Document
    provisions: tuple[Provision, ...]  # in the document's own order


@dataclass(frozen=True)
class Pack:
    topic: str
    lang: str
    covered: bool
    groups: tuple[InstrumentGroup, ...]
    definitions: tuple[Definition, ...]
    links: tuple[Link, ...]
    questions: tuple[str, ...]
    other_language: bool  # some quotes are not in the pack's language
    best_score: float
    doc_ids: tuple[str, ...] = ()
    documents: tuple[Document, ...] = ()  # every document a quote of the pack comes from
    queries: tuple[str, ...] = ()  # what was searched, printed in the pack's method note
    keywords: tuple[str, ...] = ()
    per_instrument: int = PER_INSTRUMENT
    naming: Naming | None = field(default=None, compare=False)  # the index's names, for the pack's reader

    @property
    def names(self) -> Naming:
        return self.naming or Naming(self.lang, {d.id: d for d in self.documents})

    def document(self, doc_id: str) -> Document | None:
        return next((d for d in self.documents if d.id == doc_id), None)

    @property
    def provisions(self) -> tuple[Provision, ...]:
        return tuple(p for g in self.groups for p in g.provisions)


def _groups(material: Material, order: dict[str, int]) -> tuple[InstrumentGroup, ...]:
    by_doc: dict[str, list[Provision]] = {}
    for provision in material.provisions:  # ranked: the first group holds the best provision
        by_doc.setdefault(provision.passage.doc_id, []).append(provision)
    return tuple(
        InstrumentGroup(material.documents[doc_id], tuple(sorted(ps, key=lambda p: order[p.passage.id])))
        for doc_id, ps in by_doc.items()
        if doc_id in material.documents
    )


def relevant_definitions(material: Material, passages: tuple[Passage, ...], limit: int = MAX_DEFINITIONS) -> tuple[Definition, ...]:
    """The corpus's definitions of terms on the topic or used in the quoted provisions."""
    pool = [p for p in passages if not material.doc_ids or p.doc_id in material.doc_ids]
    quoted = [p.passage.text for p in material.provisions]
    relevant = {p.id for p in material.relevant}
    scored = []
    for d in definitions.in_passages(pool):
        term = stems(d.term, d.passage.lang)
        if not term:
            continue
        # On the topic's own words, or defining a term the quoted provisions keep using.
        on_topic = mentions_keyword(d.term, material.topic.keywords)
        used = sum(term <= stems(text, d.passage.lang) for text in quoted) / max(1, len(quoted))
        score = 2.0 * on_topic + (d.passage.id in relevant) + used
        if on_topic or used >= 1 / 3 or (d.passage.id in relevant and used > 0):
            scored.append((score, d))
    scored.sort(key=lambda s: (-s[0], s[1].passage.id, s[1].term))
    chosen: list[Definition] = []
    for _, d in scored:  # one definition per term: the best-placed one
        if all(c.term.lower() != d.term.lower() for c in chosen):
            chosen.append(d)
    return tuple(chosen[:limit])


def _links(material: Material, lang: str) -> tuple[Link, ...]:
    """References from a quoted provision first, then from other passages on the topic."""
    quoted = [p.passage for p in material.provisions]
    others = [p for p in material.relevant if p.id not in {q.id for q in quoted}]
    chosen: list[Link] = []
    pairs: set[tuple[str, str]] = set()
    for link in links.find_links(quoted, material.documents, lang) + links.find_links(others, material.documents, lang):
        pair = (link.passage.doc_id, link.target.parallel_group or link.target.id)
        if pair in pairs:
            continue
        pairs.add(pair)
        chosen.append(link)
        if len(chosen) == MAX_LINKS:
            break
    return tuple(chosen)


def build_pack(
    retriever: Retriever, topic: str, lang: str, doc_ids: tuple[str, ...] = (), settings: AnswerSettings = AnswerSettings()
) -> Pack:
    material = gather(retriever, topic, lang, doc_ids, settings)
    naming = Naming(lang, retriever.index.documents, retriever.index.catalogue)
    if not material.covered:
        return Pack(
            material.topic.topic,
            lang,
            False,
            (),
            (),
            (),
            (),
            False,
            round(material.best, 3),
            tuple(doc_ids),
            queries=material.topic.queries,
            keywords=material.topic.keywords,
            naming=naming,
        )
    passages = retriever.index.passages
    order = {p.id: i for i, p in enumerate(passages)}
    groups = _groups(material, order)
    defs = relevant_definitions(material, tuple(passages))
    found_links = _links(material, lang)
    quoted = [p.passage for g in groups for p in g.provisions] + [d.passage for d in defs] + [k.passage for k in found_links]
    other = any(p.lang != lang for p in quoted)
    used = {p.doc_id for p in quoted} | {a.doc_id for g in groups for p in g.provisions for a in p.also_in}
    docs = tuple(material.documents[i] for i in sorted(used) if i in material.documents)
    pack = Pack(
        material.topic.topic,
        lang,
        True,
        groups,
        defs,
        found_links,
        (),
        other,
        round(material.best, 3),
        tuple(doc_ids),
        docs,
        material.topic.queries,
        material.topic.keywords,
        naming=naming,
    )
    return replace(pack, questions=discussion_questions(pack))
