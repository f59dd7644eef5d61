"""What the corpus holds on a topic: the passages above the calibrated threshold for any of
the topic's queries, ranked, with a verbatim quote of each.

Coverage uses the extractive answerer's own test (`AnswerSettings.covered`), so a topic the
corpus does not cover gives no material rather than the least bad passages.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from policyqa.answer.quotes import select_quote
from policyqa.answer.relevance import AnswerSettings
from policyqa.retrieve.filters import Filters
from policyqa.retrieve.retriever import Retriever
from policyqa.text.analysis import analyse, fold
from policyqa.training.topics import TopicQueries, queries
from policyqa.types import Document, Hit, Passage

# A passage that names the topic's own words is ranked a little higher than one that is only
# close in meaning: trainers want the provisions that are about the theme, not near it.
KEYWORD_BONUS = 0.03
PER_INSTRUMENT = 4  # so that one long resolution does not fill the pack


@dataclass(frozen=True)
class Provision:
    passage: Passage
    quote: str  # verbatim; pieces joined by "…"
    score: float  # best cosine over the topic's queries, plus the keyword bonus
    other_versions: tuple[Passage, ...] = ()
    # Near-identical provisions elsewhere (a resolution repeats its predecessor's wording):
    # cited, not quoted again, so the pack shows the continuity without repeating itself.
    also_in: tuple[Passage, ...] = ()


@dataclass(frozen=True)
class Material:
    topic: TopicQueries
    covered: bool
    best: float  # the best cosine seen, reported in the pack's notes
    provisions: tuple[Provision, ...]  # ranked, at most `per_instrument` per document
    relevant: tuple[Passage, ...]  # every passage above the threshold, for links
    documents: dict[str, Document]
    doc_ids: tuple[str, ...] = ()


def _threshold(settings: AnswerSettings, passage: Passage, asker: str) -> float:
    return settings.min_dense if passage.lang == asker else settings.min_dense_cross


def mentions_keyword(text: str, keywords: tuple[str, ...]) -> bool:
    words = set(fold(text).lower().replace("’", "'").split())
    return any(fold(k).lower() in words or (" " in k and fold(k).lower() in fold(text).lower()) for k in keywords)


def gather(
    retriever: Retriever,
    topic: str,
    lang: str,
    doc_ids: tuple[str, ...] = (),
    settings: AnswerSettings = AnswerSettings(),
    k: int = 15,
    max_provisions: int = 12,
    per_instrument: int = PER_INSTRUMENT,
    max_quote_words: int = 120,
) -> Material:
    """Search every query of the topic; raises retrieve.QueryError for an unknown document."""
    tq = queries(topic, lang)
    filters = Filters(doc_ids=tuple(doc_ids))
    retriever.check_filters(filters)
    best: dict[str, tuple[float, Hit]] = {}
    covered = False
    top = 0.0
    for query in tq.queries:
        hits = list(retriever.search(query, k=k, lang=lang, filters=filters).hits)
        covered = covered or settings.covered(hits, lang)
        for hit in hits:
            top = max(top, hit.dense)
            if hit.dense < _threshold(settings, hit.passage, lang):
                continue
            score = hit.dense + (KEYWORD_BONUS if mentions_keyword(hit.passage.text, tq.keywords) else 0.0)
            if hit.passage.id not in best or score > best[hit.passage.id][0]:
                best[hit.passage.id] = (score, hit)
    documents = retriever.index.documents
    if not covered:
        return Material(tq, False, top, (), (), documents, tuple(doc_ids))
    ranked = sorted(best.values(), key=lambda s: (-s[0], s[1].passage.id))
    words = " ".join((tq.topic, *tq.queries, *tq.keywords))
    chosen: list[Provision] = []
    count: dict[str, int] = {}
    for score, hit in ranked:
        p = hit.passage
        twin = next((i for i, c in enumerate(chosen) if near_duplicate(c.passage.text, p.text)), None)
        if twin is not None:
            chosen[twin] = replace(chosen[twin], also_in=chosen[twin].also_in + (p,))
            continue
        if count.get(p.doc_id, 0) >= per_instrument or len(chosen) == max_provisions:
            continue
        count[p.doc_id] = count.get(p.doc_id, 0) + 1
        quote = select_quote(p, words if p.lang in ("en", "fr") else tq.topic, max_quote_words)
        chosen.append(Provision(p, quote, round(score, 4), hit.other_versions))
    return Material(tq, True, top, tuple(chosen), tuple(h.passage for _, h in ranked), documents, tuple(doc_ids))


def near_duplicate(a: str, b: str, overlap: float = 0.8) -> bool:
    wa, wb = set(fold(a).lower().split()), set(fold(b).lower().split())
    return bool(wa and wb) and len(wa & wb) / len(wa | wb) >= overlap


def stems(text: str, lang: str) -> set[str]:
    return set(analyse(text, lang if lang in ("en", "fr") else "en"))
