"""The extractive answerer (the default, no LLM): the answer is made of the passages' own
words, each quote tied to its numbered citation, or an honest "not covered".

It picks the one retrieved passage most likely to state the answer (a rerank of the top
candidates, below), adds the same wording where another instrument repeats it, quotes from
each the sentences or sub-items that bear on the question, and writes a lead in the asker's
language naming the instrument and the provision.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

from policyqa.text import language
from policyqa.retrieve import mentions
from policyqa.retrieve.absent import absent_instruments
from policyqa.text.analysis import LANGS, analyse
from policyqa.answer.citations import Source, make_citation, resolve
from policyqa.answer.phrases import UNSUPPORTED_LANGUAGE, phrase
from policyqa.retrieve.retriever import Filters, Retriever
from policyqa.types import Hit
from policyqa.types import Answer, Citation, Passage
from policyqa.text.units import units as _units


@dataclass(frozen=True)
class AnswerSettings:
    # Calibrated on eval/questions/gold.jsonl: the best passage's cosine under this means the
    # corpus most likely does not answer (see eval/README.md for the trade-off measured).
    # A question and a passage in different languages score lower for the same relevance,
    # so the cross-language threshold is lower.
    min_dense: float = 0.455
    min_dense_cross: float = 0.42
    max_sources: int = 3  # the chosen passage and the same wording elsewhere
    max_quote_words: int = 110
    see_also: int = 3
    # An answer also lists the next provisions of the rerank, not cited, as "see also".
    nearby: int = 2
    nearby_quote_words: int = 40
    # Which candidate to cite (a wrong citation is worse than none, so one passage is cited,
    # not every passage that scores near the best). Each candidate gets the whole passage's
    # cosine mixed with its closest unit's (a long passage's vector averages its topics; the
    # line that answers matches the question more closely), plus small lexical and
    # structural signals. Weights calibrated on eval/questions/gold.jsonl, odd and even
    # halves cross-checked (eval/README.md).
    candidates: int = 8  # how many retrieved hits are reranked
    # When the question names an instrument, its own passages are looked for this deep in
    # the results (another instrument's passage does not answer the asker).
    named_depth: int = 30
    unit_weight: float = 0.25
    sparse_weight: float = 0.02  # BM25, relative to the best candidate's or to sparse_floor
    # A best BM25 under this is no real word match (a French question scored against English
    # text gets about 0.5 from shared stems), so it is not scaled up to count as a full one.
    sparse_floor: float = 2.0
    coverage_weight: float = 0.05  # share of the question's words found in the passage (same language only)
    located_bonus: float = 0.05  # the passage is at the article/paragraph/objective the question names
    # A question about a named provision as a whole ("what does Objective 1 call for") is
    # answered by its chapeau, which states the commitment; the sub-items list actions.
    chapeau_bonus: float = 0.04
    preamble_penalty: float = 0.05  # a preambular paragraph recalls context; operative ones decide
    # Another candidate is cited beside the chosen one when it repeats the same wording
    # (the 2023 and 2025 versions of a resolution): share of analysed words in common.
    same_wording: float = 0.9

    def covered(self, hits: list[Hit], asker: str) -> bool:
        """Whether some passage is close enough to the question to answer from it (each
        against the threshold for its own language)."""
        return any(h.dense >= (self.min_dense if h.passage.lang == asker else self.min_dense_cross) for h in hits)


# Per shared question word, added to a unit's cosine when choosing what to quote (see eval/README.md).
QUOTE_LEXICAL_WEIGHT = 0.02
_LABEL = re.compile(r"^(?:\(?[a-z]{1,3}\)|\d{1,2}\.|[A-F]\.)\s")
_SUB_ITEMS = re.compile(r"(?:\([a-z]{1,4}\)|\d\.)(?:–(?:\([a-z]{1,4}\)|\d{1,2}\.))?$")
_PREAMBLE = re.compile(r"\bpreamb", re.I)


def select_quote(passage: Passage, question: str, max_words: int, unit_scores: list[float] | None = None,
                 lexical_weight: float = QUOTE_LEXICAL_WEIGHT) -> str:
    """The passage's words that bear on the question, verbatim, in document order.

    Units are ranked by their cosine to the question when the index has unit vectors (this
    works across languages: "enfants" finds the sub-item on "children"), plus a small bonus
    per question word they share; without unit vectors, by shared words alone."""
    text = passage.text.strip()
    if len(text.split()) <= max_words:
        return " ".join(text.split())
    units = _units(text)
    query = set(analyse(question, passage.lang)) if passage.lang in ("en", "fr") else set()
    overlap = [len(query & set(analyse(u, passage.lang))) if query else 0 for u in units]
    if unit_scores is not None and len(unit_scores) == len(units):
        scored = [(unit_scores[i] + lexical_weight * overlap[i], i) for i in range(len(units))]
    else:
        scored = [(float(overlap[i]), i) for i in range(len(units))]
    keep: set[int] = set()
    lead = 0 if not _LABEL.match(units[0]) else None
    budget = max_words
    if lead is not None and len(units[0].split()) <= max_words // 2:
        keep.add(lead)  # the lead-in gives the sub-items their meaning
        budget -= len(units[0].split())
    order = sorted(scored, key=lambda s: (-s[0], s[1])) if any(s for s, _ in scored) else [(0, i) for i in range(len(units))]
    for _, i in order:
        words = len(units[i].split())
        if i in keep or words > budget:
            continue
        keep.add(i)
        budget -= words
        if budget < 15:
            break
    if not keep:
        return " ".join(units[0].split()[:max_words]) + " …"
    pieces, previous = [], None
    for i in sorted(keep):
        if previous is not None and i != previous + 1:
            pieces.append("…")
        pieces.append(" ".join(units[i].split()))
        previous = i
    return " ".join(pieces)


class ExtractiveAnswerer:
    def __init__(self, retriever: Retriever, settings: AnswerSettings = AnswerSettings()) -> None:
        self.retriever = retriever
        self.settings = settings

    def answer(self, question: str, lang: str | None = None, filters: Filters = Filters()) -> Answer:
        detected = language.identify(" ".join((question or "").split()))
        if lang is None and detected.lang and not detected.supported:
            return Answer(UNSUPPORTED_LANGUAGE, detected.lang, (), False, mode="extractive")
        asker = lang or (detected.lang if detected.supported else "en")
        result = self.retriever.search(question, k=max(self.settings.named_depth, self.settings.candidates),
                                       lang=asker, filters=filters)
        searched = time.perf_counter()
        documents = self.retriever.index.documents
        hits = list(result.hits)
        timings = (("embed", result.embed_ms), ("search", result.search_ms))
        absent = absent_instruments(question, self.retriever.index.vocabulary())
        if absent or not self.settings.covered(hits, asker):
            see_also = tuple(make_citation(i, Source(h.passage, self._preview(h.passage)), documents.get(h.passage.doc_id))
                             for i, h in enumerate(hits[: self.settings.see_also], 1))
            lines = [phrase(asker, "not_covered")]
            if absent:
                lines.append(phrase(asker, "absent", names=", ".join(absent)))
            if see_also:
                lines += ["", phrase(asker, "see_also")] + [f"- {c.title}, {c.locator}" for c in see_also]
            return Answer("\n".join(lines), asker, (), False, see_also, "extractive",
                          timings + (("compose", (time.perf_counter() - searched) * 1000),))
        ranked = self._rank(hits, result.query, asker)
        chosen = self._pick(ranked)
        sources: dict[int, Source] = {}
        blocks: list[str] = []
        open_q, close_q = ("« ", " »") if asker == "fr" else ("“", "”")
        for n, hit in enumerate(chosen, 1):
            p = hit.passage
            quote = select_quote(p, question, self.settings.max_quote_words, self._unit_scores(p, result.query_vector))
            other = next((o.id for o in hit.other_versions), "")
            sources[n] = Source(p, quote, other)
            doc = documents.get(p.doc_id)
            title = (doc.short_title or doc.title) if doc else p.doc_id
            pages = phrase(asker, "pages", pages=p.pages) if p.pages else ""
            lead = phrase(asker, "according", title=title, locator=p.locator, pages=pages)
            note = f" {phrase(asker, 'quote_other_language')}" if p.lang != asker else ""
            blocks.append(f"{lead}\n{open_q}{quote}{close_q} [{n}]{note}")
        text, citations = resolve("\n\n".join(blocks), sources, documents)
        see_also = self._nearby(ranked, chosen, question, result.query_vector)
        return Answer(text, asker, citations, True, see_also, "extractive",
                      timings + (("compose", (time.perf_counter() - searched) * 1000),))

    def _nearby(self, ranked: list[Hit], chosen: list[Hit], question: str, query_vector) -> tuple[Citation, ...]:
        """The next provisions of the rerank, not cited, each with its span closest to the
        question: when the cited provision is a neighbour of the one that answers, the one that
        answers is usually among these (eval/README.md), one click away."""
        st = self.settings
        others = [h for h in ranked if h not in chosen
                  and all(same_wording(h.passage, c.passage) < st.same_wording for c in chosen)]
        documents = self.retriever.index.documents
        return tuple(
            make_citation(n, Source(h.passage, select_quote(h.passage, question, st.nearby_quote_words,
                                                            self._unit_scores(h.passage, query_vector)),
                                    next((o.id for o in h.other_versions), "")), documents.get(h.passage.doc_id))
            for n, h in enumerate(others[: st.nearby], 1))

    def _unit_scores(self, p: Passage, query_vector) -> list[float] | None:
        index = self.retriever.index
        return (index.unit_scores(index.row_of[p.id], query_vector)
                if query_vector is not None and p.id in index.row_of else None)

    def _pick(self, ranked: list[Hit]) -> list[Hit]:
        """The first ranked candidate (the one that best states the answer), and the others
        that repeat its wording."""
        top = ranked[0]
        chosen = [top]
        for hit in ranked[1:]:
            if len(chosen) == self.settings.max_sources:
                break
            if same_wording(hit.passage, top.passage) >= self.settings.same_wording:
                chosen.append(hit)
        return chosen

    def _rank(self, hits: list[Hit], question: str, asker: str) -> list[Hit]:
        """The candidates, the one most likely to state the answer first."""
        st = self.settings
        named = mentions.find(question, self.retriever.index.documents)
        pool = list(hits[: st.candidates])
        if named.doc_ids:
            # The asker named the instrument: a passage of another one does not answer them.
            pool = [h for h in hits if h.passage.doc_id in named.doc_ids][: st.candidates] or pool
        best_sparse = max(max(h.sparse for h in pool), st.sparse_floor, 1e-9)
        provision = bool(named.articles or named.paragraphs or named.objectives)
        words = set(analyse(question, asker)) if asker in LANGS else set()

        def score(h: Hit) -> float:
            unit = h.unit if h.unit is not None else h.dense
            coverage = (len(words & set(analyse(h.passage.text, asker))) / len(words)
                        if words and h.passage.lang == asker else 0.0)
            return ((1 - st.unit_weight) * h.dense + st.unit_weight * unit
                    + st.sparse_weight * h.sparse / best_sparse + st.coverage_weight * coverage
                    + st.located_bonus * (provision and mentions.locator_matches(h.passage, named))
                    + st.chapeau_bonus * (provision and mentions.locator_matches(h.passage, named)
                                          and not _SUB_ITEMS.search(h.passage.locator))
                    - st.preamble_penalty * bool(_PREAMBLE.search(h.passage.locator)))

        return sorted(pool, key=lambda h: -score(h))  # stable: retrieval order breaks ties

    @staticmethod
    def _preview(p: Passage) -> str:
        words = p.text.split()
        return " ".join(words[:40]) + (" …" if len(words) > 40 else "")


def same_wording(a: Passage, b: Passage) -> float:
    """Share of analysed words two passages have in common (Jaccard); 0 across languages."""
    if a.lang != b.lang or a.lang not in LANGS:
        return 0.0
    x, y = set(analyse(a.text, a.lang)), set(analyse(b.text, b.lang))
    return len(x & y) / len(x | y) if x | y else 0.0
