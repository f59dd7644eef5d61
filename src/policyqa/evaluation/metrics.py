"""Retrieval evaluation over any question file in the public format.

Each system is a function from a question to a ranked list of candidates; a candidate is
relevant when its text (or an attached other-language version) contains an evidence quote.
The report gives aggregates and per-question rows, overall and by language, cross-lingual
subset and document family.
"""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field

from policyqa.evaluation.questions import Question, normalise

KS = (1, 5, 10)


@dataclass(frozen=True)
class Candidate:
    texts: tuple[str, ...]  # the passage, then any attached versions
    doc_id: str
    lang: str
    label: str  # "doc_id locator", for inspection


System = Callable[[Question], list[Candidate]]


@dataclass(frozen=True)
class Judgement:
    question_id: str
    lang: str
    cross_lingual: bool
    family: str
    first_relevant: int | None  # 1-based rank in the top 10, None when absent
    relevant_total: int
    ranked: tuple[str, ...]
    latency_ms: float
    scores: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Context:
    """What the corpus says about each question: languages and families of relevant passages."""

    langs: dict[str, set[str]]
    families: dict[str, str]
    relevant_total: dict[str, int]


def _dcg(relevances: Sequence[int]) -> float:
    return sum(rel / math.log2(i + 2) for i, rel in enumerate(relevances))


def judge(question: Question, system: System, context: Context) -> Judgement:
    started = time.perf_counter()
    ranked = system(question)[:10]
    elapsed = (time.perf_counter() - started) * 1000
    relevant = [int(any(question.is_relevant(t) for t in c.texts)) for c in ranked]
    first = next((i + 1 for i, r in enumerate(relevant) if r), None)
    total = max(context.relevant_total.get(question.id, 0), 1)
    ideal = _dcg([1] * min(total, 10))
    scores = {f"recall@{k}": float(any(relevant[:k])) for k in KS}
    scores["mrr@10"] = 1.0 / first if first else 0.0
    scores["ndcg@10"] = _dcg(relevant) / ideal if ideal else 0.0
    langs = context.langs.get(question.id, set())
    return Judgement(
        question.id,
        question.lang,
        bool(langs) and question.lang not in langs,
        context.families.get(question.id, ""),
        first,
        total,
        tuple(c.label for c in ranked),
        elapsed,
        scores,
    )


def aggregate(rows: list[Judgement]) -> dict:
    if not rows:
        return {"n": 0}
    out: dict = {"n": len(rows)}
    for metric in rows[0].scores:
        out[metric] = round(statistics.fmean(r.scores[metric] for r in rows), 4)
    latencies = sorted(r.latency_ms for r in rows)
    out["latency_p50_ms"] = round(statistics.median(latencies), 1)
    out["latency_p95_ms"] = round(latencies[min(len(latencies) - 1, math.ceil(0.95 * len(latencies)) - 1)], 1)
    return out


def slices(rows: list[Judgement]) -> dict:
    groups: dict[str, list[Judgement]] = {"overall": rows}
    for r in rows:
        groups.setdefault(f"lang:{r.lang}", []).append(r)
        groups.setdefault("cross-lingual" if r.cross_lingual else "same-language", []).append(r)
        if r.family:
            groups.setdefault(f"family:{r.family}", []).append(r)
    order = sorted(groups, key=lambda name: (name != "overall", name))
    return {name: aggregate(groups[name]) for name in order}


def evaluate(questions: list[Question], systems: dict[str, System], context: Context) -> dict:
    answerable = [q for q in questions if q.answerable and q.evidence]
    report: dict = {"questions": len(questions), "answerable": len(answerable), "systems": {}}
    for name, system in systems.items():
        rows = [judge(q, system, context) for q in answerable]
        report["systems"][name] = {"slices": slices(rows), "per_question": [asdict(r) for r in rows]}
    return report


@dataclass(frozen=True)
class AnswerJudgement:
    question_id: str
    lang: str
    answerable: bool
    answered: bool
    answer_lang: str
    cited: int
    cited_with_evidence: int
    quotes_verbatim: bool
    latency_ms: float
    citations: tuple[str, ...] = ()
    # An evidence passage is cited and the span shown from it holds the evidence itself
    # (not only neighbouring sub-items of the same passage).
    quoted_evidence: bool = False
    # An evidence passage is cited or listed as a nearby provision (see also) of an answer.
    nearby_evidence: bool = False
    paraphrase_family: str = ""  # the question's paraphrase family, when its file groups them
    support: float | None = None  # the relevance model's support for the best passage


def _quote_holds(evidence: str, quote: str) -> bool:
    """Whether the quoted span shows the evidence: every piece of the quote is verbatim, so
    it is enough that the evidence's words appear in it (at least 80 %, as a cut may trim an
    end of a long evidence quote)."""
    wanted = normalise(evidence).split()
    shown = set(normalise(quote).split())
    return bool(wanted) and sum(w in shown for w in wanted) >= 0.8 * len(wanted)


def _holds_evidence(question: Question, citation, passages: dict[str, object]) -> bool:
    """Whether the cited passage, or its other-language version, holds an evidence quote."""
    versions = (passages.get(citation.passage_id), passages.get(citation.other_version_id) if citation.other_version_id else None)
    return any(question.is_relevant(p.text) for p in versions if p is not None)


def judge_answer(question: Question, answer: Callable[[Question], object], passages: dict[str, object]) -> AnswerJudgement:
    """`answer` returns a policyqa.types.Answer; `passages` maps passage ids to Passages."""
    from policyqa.answer.citations import quote_is_verbatim

    started = time.perf_counter()
    result = answer(question)
    elapsed = (time.perf_counter() - started) * 1000
    with_evidence, verbatim, quoted = 0, True, False
    for c in result.citations:
        p = passages.get(c.passage_id)
        if _holds_evidence(question, c, passages):
            with_evidence += 1
            # Only evidence found in the cited passage itself can be in its quote (not the
            # evidence of its other-language version).
            here = normalise(p.text) if p is not None else ""
            quoted = quoted or any(_quote_holds(e.quote, c.quote) for e in question.evidence if normalise(e.quote) in here)
        verbatim = verbatim and p is not None and quote_is_verbatim(c, p)
    nearby = result.answered and (with_evidence > 0 or any(_holds_evidence(question, c, passages) for c in result.see_also))
    return AnswerJudgement(
        question.id,
        question.lang,
        question.answerable,
        result.answered,
        result.lang,
        len(result.citations),
        with_evidence,
        verbatim,
        elapsed,
        tuple(f"{c.doc_id} {c.locator}" for c in result.citations),
        quoted,
        nearby,
        question.paraphrase_family,
        getattr(result, "support", None),
    )


def answer_metrics(rows: list[AnswerJudgement]) -> dict:
    answerable = [r for r in rows if r.answerable]
    unanswerable = [r for r in rows if not r.answerable]
    answered = [r for r in answerable if r.answered]
    cited = sum(r.cited for r in answered)
    supported = [r for r in rows if r.lang in ("fr", "en")]
    latencies = sorted(r.latency_ms for r in rows) or [0.0]

    def share(items, test) -> float | None:
        return round(sum(1 for r in items if test(r)) / len(items), 4) if items else None

    return {
        "n": len(rows),
        "answerable": len(answerable),
        "unanswerable": len(unanswerable),
        "citation_precision": round(sum(r.cited_with_evidence for r in answered) / cited, 4) if cited else None,
        "evidence_citation_rate": share(answerable, lambda r: r.answered and r.cited_with_evidence > 0),
        "abstention_accuracy": share(unanswerable, lambda r: not r.answered),
        "false_abstentions": share(answerable, lambda r: not r.answered),
        "language_accuracy": share(supported, lambda r: r.answer_lang == r.lang),
        "quotes_verbatim": share([r for r in rows if r.answered], lambda r: r.quotes_verbatim),
        "quoted_evidence_rate": share([r for r in answered if r.cited_with_evidence], lambda r: r.quoted_evidence),
        # Answered answerable questions whose evidence is cited or among the nearby provisions.
        "nearby_evidence_rate": share(answered, lambda r: r.nearby_evidence),
        "paraphrase_consistency": paraphrase_consistency(rows),
        "latency_p50_ms": round(statistics.median(latencies), 1),
        "latency_p95_ms": round(latencies[min(len(latencies) - 1, math.ceil(0.95 * len(latencies)) - 1)], 1),
    }


def _right(r: AnswerJudgement) -> bool:
    return r.answered and r.cited_with_evidence > 0


def paraphrase_consistency(rows: list[AnswerJudgement]) -> float | None:
    """Share of answerable paraphrase families (two phrasings or more) whose phrasings all
    cite evidence; None when the questions are not grouped in families."""
    families: dict[str, list[AnswerJudgement]] = {}
    for r in rows:
        if r.paraphrase_family and r.answerable:
            families.setdefault(r.paraphrase_family, []).append(r)
    grouped = [members for members in families.values() if len(members) > 1]
    return round(sum(all(_right(r) for r in m) for m in grouped) / len(grouped), 4) if grouped else None


def risk_coverage(rows: list[AnswerJudgement]) -> list[dict]:
    """Citation precision against the share of answerable questions answered, for every
    decline threshold at or above the one in use (a declined question cites nothing, so what
    it would have cited is unknown). An unanswerable question answered counts as wrong."""
    answered = sorted((r for r in rows if r.answered and r.support is not None), key=lambda r: -r.support)
    answerable = sum(1 for r in rows if r.answerable) or 1
    points, right, covered = [], 0, 0
    for n, r in enumerate(answered, 1):
        right += int(r.answerable and _right(r))
        covered += int(r.answerable)
        points.append({"threshold": round(r.support, 4), "coverage": round(covered / answerable, 4), "precision": round(right / n, 4)})
    return points
