"""Fitting the relevance model (answer/relevance.py) on development questions, by
cross-validation over paraphrase families.

Every question is read, understood and searched exactly as the answerers do it (Front), and
each candidate gets the label "holds the evidence" or not. A logistic regression is fitted on
the candidates to choose one; its regularisation is chosen by how often, out of fold, the
chosen candidate of an answerable question holds its evidence. A second one, fitted on the
out-of-fold choices, gives the support (the probability that the choice holds the evidence,
unanswerable questions counting as no); the decline threshold is the lowest support at which,
out of fold, the answered questions reach the target precision, capped so that no more than a
stated share of answerable questions is declined. A family never has phrasings on both sides of a fold.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from policyqa.answer.features import FEATURES, QUESTION_FEATURES, candidate_features, question_features
from policyqa.answer.front import Asked, Front
from policyqa.answer.relevance import AnswerSettings, Linear, RelevanceModel, prior
from policyqa.evaluation.questions import Question, load_questions
from policyqa.retrieve.retriever import Retriever

TARGET_PRECISION = 0.80
# Answerable questions the threshold may decline, out of fold: the answers issue's ceiling.
# On the development part a threshold reaching the target precision alone declined a quarter
# of them (eval/README.md), so the budget binds.
MAX_FALSE_DECLINES = 0.05
REGULARISATIONS = (0.01, 0.03, 0.1, 0.3, 1.0, 3.0)
FOLDS = 5


@dataclass(frozen=True)
class Example:
    question: Question
    group: str  # the paraphrase family, or the question's own id
    rows: np.ndarray  # candidate features
    labels: np.ndarray  # 1 where the candidate (or its other-language version) holds evidence
    declined: bool  # the question names something the corpus lacks: declined before ranking
    scored: bool = True  # a development question (choices are judged on these), not only trained on
    passage_ids: tuple[str, ...] = ()  # the candidates', in the rows' order


def collect(questions: list[Question], retriever: Retriever, say: Callable[[str], None] = lambda _m: None) -> list[Example]:
    # Reading candidates needs no model (the one being fitted may not exist yet).
    front = Front(retriever, AnswerSettings(model=RelevanceModel.unfitted()), "extractive")
    examples = []
    for n, q in enumerate(questions, 1):
        asked = front.read(q.question, q.lang if q.lang in ("en", "fr") else None)
        if not isinstance(asked, Asked):
            continue
        understood, result, named = front.candidates(asked, AnswerSettings.candidates)
        pool = list(result.hits[: AnswerSettings.candidates])
        rows = candidate_features(pool, asked.question, asked.lang, named, bool(understood.named))
        labels = np.asarray(
            [int(q.answerable and any(q.is_relevant(p.text) for p in (h.passage, *h.other_versions))) for h in pool], dtype=int
        )
        ids = tuple(h.passage.id for h in pool)
        examples.append(Example(q, q.paraphrase_family or q.id, rows, labels, understood.declines, passage_ids=ids))
        if n % 50 == 0:
            say(f"read {n}/{len(questions)} questions")
    return examples


def _linear(rows: np.ndarray, labels: np.ndarray, features: tuple[str, ...], c: float, balanced: bool) -> Linear:
    from sklearn.linear_model import LogisticRegression

    mean = rows.mean(axis=0)
    scale = rows.std(axis=0)
    scale = np.where(scale > 0, scale, 1.0)
    if len(set(labels.tolist())) < 2:  # nothing to learn from: a constant at the observed rate
        return Linear(
            features, tuple(mean), tuple(scale), (0.0,) * len(features), float(np.log((labels.mean() + 1e-3) / (1 - labels.mean() + 1e-3)))
        )
    fitted = LogisticRegression(C=c, max_iter=2000, class_weight="balanced" if balanced else None).fit((rows - mean) / scale, labels)
    return Linear(
        features,
        tuple(float(x) for x in mean),
        tuple(float(x) for x in scale),
        tuple(float(x) for x in fitted.coef_[0]),
        float(fitted.intercept_[0]),
    )


def _choose(examples: list[Example], c: float) -> Linear:
    usable = [e for e in examples if len(e.rows)]
    return _linear(np.vstack([e.rows for e in usable]), np.concatenate([e.labels for e in usable]), FEATURES, c, balanced=True)


def _question_rows(examples: list[Example], choose: list[Linear]) -> tuple[np.ndarray, np.ndarray]:
    """Per question: the decline model's features, and whether the chosen candidate holds
    the evidence (never, for a question declined on what it names or without candidates)."""
    rows, labels = [], []
    for e, model in zip(examples, choose):
        choice = model(e.rows) if len(e.rows) else np.zeros(0)
        rows.append(question_features(e.rows, choice))
        labels.append(int(not e.declined and len(e.rows) > 0 and bool(e.labels[int(np.argmax(choice))])))
    return np.vstack(rows), np.asarray(labels)


def _folds(examples: list[Example], folds: int, seed: int) -> list[int]:
    groups = sorted({e.group for e in examples})
    order = np.random.default_rng(seed).permutation(len(groups))
    fold_of = {groups[i]: k % folds for k, i in enumerate(order)}
    return [fold_of[e.group] for e in examples]


def _choosers(examples: list[Example], c: float | None, folds: int = FOLDS, seed: int = 0) -> list[Linear]:
    """Per question, the chooser that has not seen its family (c None: the hand-set prior)."""
    if c is None:
        return [prior()] * len(examples)
    assignment = _folds(examples, folds, seed)
    out: list[Linear] = [prior()] * len(examples)
    for k in range(folds):
        model = _choose([e for e, f in zip(examples, assignment) if f != k], c)
        out = [model if f == k else m for m, f in zip(out, assignment)]
    return out


def out_of_fold(examples: list[Example], c: float | None, folds: int = FOLDS, seed: int = 0) -> list[tuple[float, bool]]:
    """Per question, out of fold: the support for its chosen candidate, and whether that
    candidate holds the evidence. The decline model of each fold is fitted on the other
    folds' own out-of-fold choices, as the final one is."""
    assignment = _folds(examples, folds, seed)
    rows, labels = _question_rows(examples, _choosers(examples, c, folds, seed))
    tops: list[tuple[float, bool]] = [(0.0, False)] * len(examples)
    for k in range(folds):
        train = [i for i, f in enumerate(assignment) if f != k]
        decline = _linear(rows[train], labels[train], QUESTION_FEATURES, 1.0, balanced=False)
        for i, f in enumerate(assignment):
            if f == k:
                tops[i] = (0.0 if examples[i].declined else float(decline(rows[i])[0]), bool(labels[i]))
    return tops


def choose_threshold(
    examples: list[Example], tops: list[tuple[float, bool]], target: float, max_false_declines: float = MAX_FALSE_DECLINES
) -> tuple[float, dict]:
    """The lowest support whose answered questions reach `target` precision, but never one
    that declines more than `max_false_declines` of the answerable questions; and the figures
    at it (all out of fold)."""
    supports = sorted({s for s, _ in tops if s > 0})
    answerable = [(e, s) for e, (s, _) in zip(examples, tops) if e.question.answerable]
    within = [t for t in supports if sum(1 for e, s in answerable if e.declined or s < t) <= max_false_declines * len(answerable)]
    budget = max(within, default=supports[0] if supports else 0.0)
    for t in supports:
        answered = [ok for e, (s, ok) in zip(examples, tops) if not e.declined and s >= t]
        if answered and sum(answered) / len(answered) >= target:
            return min(t, budget), figures(examples, tops, min(t, budget))
    return budget, figures(examples, tops, budget)


def figures(examples: list[Example], tops: list[tuple[float, bool]], threshold: float) -> dict:
    answerable = [(e, s, ok) for e, (s, ok) in zip(examples, tops) if e.question.answerable]
    unanswerable = [(e, s, ok) for e, (s, ok) in zip(examples, tops) if not e.question.answerable]
    answered = [(e, s, ok) for e, s, ok in answerable if not e.declined and s >= threshold and s > 0]
    answered_all = [(e, s, ok) for e, (s, ok) in zip(examples, tops) if not e.declined and s >= threshold and s > 0]

    def share(n: int, d: int) -> float | None:
        return round(n / d, 4) if d else None

    return {
        "questions": len(examples),
        "top_holds_evidence": share(sum(ok for _, _, ok in answerable), len(answerable)),
        "precision_answered": share(sum(ok for _, _, ok in answered_all), len(answered_all)),
        "answerable_answered": share(len(answered), len(answerable)),
        "answerable_cited_right": share(sum(ok for _, _, ok in answered), len(answerable)),
        "unanswerable_declined": share(sum(1 for e, s, _ in unanswerable if e.declined or s < threshold or s == 0), len(unanswerable)),
    }


# The careful mode's choices (answer/judge.py): how many of the chooser's first candidates the
# judge reads, and the weight of its log-odds.
CAREFUL_CANDIDATES = (2, 3)
CAREFUL_WEIGHTS = (0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 1.5, 2.0)


class FitError(ValueError):
    """The files given to the fit do not allow it (judgements missing for some candidates)."""


def _sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def load_judgements(path: Path) -> dict[tuple[str, str], float]:
    """The judge's log-odds per (question text, passage id), kept as data
    (`policyqa relevance judge`)."""
    out = {}
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            out[(row["question"], row["passage_id"])] = float(row["log_odds"])
    return out


def _head(choice: np.ndarray, k: int) -> list[int]:
    """The chooser's first k candidates, its order as the answerers take it (ties by retrieval rank)."""
    return sorted(range(len(choice)), key=lambda i: (-choice[i], i))[:k]


def _careful_pick(e: Example, choice: np.ndarray, judged: dict[tuple[str, str], float], k: int, weight: float) -> int:
    head = _head(choice, k)
    p = np.clip(choice[head], 1e-9, 1 - 1e-9)
    score = np.log(p / (1 - p)) + weight * np.asarray([judged[(e.question.question, e.passage_ids[i])] for i in head])
    return head[int(np.argmax(score))]  # argmax keeps the first of equals: the chooser's order


def fit_careful(
    examples: list[Example], choosers: list[Linear], judged: dict[tuple[str, str], float], folds: int = FOLDS, seed: int = 0
) -> tuple[int, float, dict]:
    """The careful mode's (candidates, weight), chosen on every answerable development question,
    and its figures out of fold: each fold's pair chosen on the other folds. Judged on how
    often the reconsidered first candidate holds the evidence."""
    # Each usable question with its chooser's probabilities, computed once.
    usable = [(e, m(e.rows)) for e, m in zip(examples, choosers) if e.scored and e.question.answerable and not e.declined and len(e.rows)]
    needed = {(e.question.question, e.passage_ids[i]) for e, choice in usable for i in _head(choice, max(CAREFUL_CANDIDATES))}
    missing = needed - judged.keys()
    if missing:
        raise FitError(f"{len(missing)} candidates have no judgement: judge them with `policyqa relevance judge` first")
    grid = [(k, w) for k in CAREFUL_CANDIDATES for w in CAREFUL_WEIGHTS]
    right = {g: np.asarray([e.labels[_careful_pick(e, choice, judged, *g)] for e, choice in usable]) for g in grid}
    base = np.asarray([e.labels[_head(choice, 1)[0]] for e, choice in usable])
    assignment = np.asarray(_folds([e for e, _ in usable], folds, seed))

    def best(mask: np.ndarray) -> tuple[int, float]:
        # Fewer candidates and a smaller weight win ties: the cheaper, gentler mode.
        return max(grid, key=lambda g: (int(right[g][mask].sum()), -g[0], -g[1]))

    oof = np.zeros(len(usable), dtype=int)
    for f in range(folds):
        chosen = best(assignment != f)
        oof[assignment == f] = right[chosen][assignment == f]
    k, weight = best(np.ones(len(usable), dtype=bool))
    n = max(len(usable), 1)
    figures = {
        "questions": len(usable),
        "chooser_alone": round(float(base.mean()), 4),
        "careful_out_of_fold": round(float(oof.mean()), 4),
        "chosen": {"candidates": k, "weight": weight},
        "by_setting": {f"k={g[0]} w={g[1]}": round(float(right[g].mean()), 4) for g in grid},
        "standard_error": round(math.sqrt(base.mean() * (1 - base.mean()) / n), 4),
    }
    return k, weight, figures


def fit(
    question_files: list[Path],
    retriever: Retriever,
    target: float = TARGET_PRECISION,
    say: Callable[[str], None] = lambda _m: None,
    also_train: list[Path] = (),
    max_false_declines: float = MAX_FALSE_DECLINES,
    judgements: Path | None = None,
) -> RelevanceModel:
    """`question_files`: the development part, on which every choice is judged out of fold;
    `also_train`: questions that only add training examples (the gold set, tuned on before)."""
    examples: list[Example] = []
    fitted_on = []
    for path in [*question_files, *also_train]:
        scored = path in question_files
        examples += [replace(e, scored=scored) for e in collect(load_questions(path), retriever, say)]
        fitted_on.append(f"{Path(path).name} {_sha256(path)}")
    dev = [i for i, e in enumerate(examples) if e.scored]
    answerable = [i for i in dev if examples[i].question.answerable]
    trials: dict[float | None, tuple[float, list]] = {}
    for c in (None, *REGULARISATIONS):
        tops = out_of_fold(examples, c)
        trials[c] = (sum(tops[i][1] for i in answerable) / max(len(answerable), 1), tops)
        name = "the hand-set prior" if c is None else f"C={c}"
        say(f"{name}: out of fold, the chosen candidate holds the evidence for {trials[c][0]:.4f} of answerable development questions")
    best = max(REGULARISATIONS, key=lambda x: (round(trials[x][0], 4), -abs(np.log10(x))))
    p = trials[None][0]
    margin = math.sqrt(p * (1 - p) / max(len(answerable), 1))
    c = best if trials[best][0] > p + margin else None
    at_dev = [examples[i] for i in dev]
    tops_dev = [trials[c][1][i] for i in dev]
    threshold, at = choose_threshold(at_dev, tops_dev, target, max_false_declines)
    say(f"chose {'the prior' if c is None else f'C={c}'} (one standard error: {margin:.4f}), decline under support {threshold:.4f}: {at}")
    curve = [{"threshold": t, **figures(at_dev, tops_dev, t)} for t in (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)]
    # The final decline model learns from out-of-fold choices, as it will meet new questions.
    rows, labels = _question_rows(examples, _choosers(examples, c))
    cross_validation = {
        "folds": FOLDS,
        "grouped_by": "family",
        "scored_on": [str(p) for p in question_files],
        "top_holds_evidence": {("prior" if k is None else f"C={k}"): round(v[0], 4) for k, v in trials.items()},
        "chooser": "prior" if c is None else f"logistic C={c}",
        "max_false_declines": max_false_declines,
        "at_threshold": at,
        "by_threshold": curve,
    }
    careful: tuple[int, float] = (0, 0.0)
    if judgements is not None:
        k, weight, careful_figures = fit_careful(examples, _choosers(examples, c), load_judgements(judgements))
        cross_validation["careful"] = {"judgements": f"{Path(judgements).name} {_sha256(judgements)}", **careful_figures}
        oof, alone = careful_figures["careful_out_of_fold"], careful_figures["chooser_alone"]
        say(f"careful mode: k={k} weight={weight}; out of fold the first candidate holds the evidence for {oof} (chooser alone: {alone})")
        # Kept only when it beats the chooser out of fold: it costs seconds per question.
        if oof > alone:
            careful = (k, weight)
    return RelevanceModel(
        prior() if c is None else _choose(examples, c),
        _linear(rows, labels, QUESTION_FEATURES, 1.0, balanced=False),
        round(threshold, 6),
        target,
        tuple(fitted_on),
        c or 0.0,
        cross_validation,
        *careful,
    )
