"""Which candidate states the answer, and whether any does: one relevance step that every
answer mode shares.

A chooser over the candidate features of features.py ranks the candidates; a logistic
regression turns the choice into a support (the probability that the chosen passage states
the answer), under which the question is declined. The chooser is a logistic regression
fitted on the development questions, or the hand-set prior below when no fitted one beats it
out of fold; the support model and its threshold are always fitted there, by
cross-validation over paraphrase families (evaluation/fit.py). All of it is kept as data in
relevance_model.json, with the files it was fitted on and the cross-validated figures.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from functools import lru_cache
from pathlib import Path

import numpy as np

from policyqa.answer.features import FEATURES, QUESTION_FEATURES, candidate_features, question_features
from policyqa.retrieve.mentions import Mentions
from policyqa.types import Hit

MODEL_PATH = Path(__file__).with_name("relevance_model.json")


class ModelError(ValueError):
    """The relevance model's file is missing or does not match this version's features."""


@dataclass(frozen=True)
class Linear:
    """A fitted logistic regression over named features (standardised first)."""

    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float

    def __call__(self, rows: np.ndarray) -> np.ndarray:
        rows = np.atleast_2d(rows)
        if rows.shape[0] == 0:
            return np.zeros(0)
        z = (rows - np.asarray(self.mean)) / np.asarray(self.scale)
        return 1.0 / (1.0 + np.exp(-(z @ np.asarray(self.weights) + self.bias)))

    @classmethod
    def neutral(cls, features: tuple[str, ...]) -> Linear:
        n = len(features)
        return cls(features, (0.0,) * n, (1.0,) * n, (0.0,) * n, 0.0)


def prior() -> Linear:
    """The chooser set by hand on eval/questions/gold.jsonl (2026-11): the passage's cosine
    mixed with its closest unit's, and small lexical and structural signals. The fit keeps it
    unless a learned chooser beats it out of fold on the development part by more than one
    standard error: on the earlier held-out set it generalised better than the learned ones
    tried (eval/README.md)."""
    hand = {"dense": 0.75, "unit": 0.25, "sparse": 0.02, "coverage": 0.05, "located": 0.05, "chapeau": 0.04, "preambular": -0.05}
    n = len(FEATURES)
    # Scaled so that the logistic turns its small differences into usable choice probabilities.
    return Linear(FEATURES, (0.0,) * n, (1.0,) * n, tuple(20.0 * hand.get(f, 0.0) for f in FEATURES), -10.0)


@dataclass(frozen=True)
class RelevanceModel:
    # Which candidate states the answer (per candidate, FEATURES).
    choose: Linear
    # Whether the chosen one does (per question, QUESTION_FEATURES): the support, a
    # probability calibrated out of fold, with unanswerable questions as negatives.
    decline: Linear
    # The support under which the corpus is judged not to answer, chosen out of fold on the
    # development part for `target_precision`, within a budget of answerable questions
    # declined (evaluation/fit.py).
    threshold: float
    target_precision: float = 0.0
    fitted_on: tuple[str, ...] = ()  # "file sha256" of each question file used
    regularisation: float = 1.0
    cross_validation: dict = field(default_factory=dict, compare=False)
    # The careful mode (judge.py): how many of the first candidates the judge reads, and the
    # weight of its log-odds beside the chooser's, fitted out of fold on the development
    # part from judgements kept as data (evaluation/fit.py). 0: no careful mode fitted.
    careful_candidates: int = 0
    careful_weight: float = 0.0

    def save(self, path: Path = MODEL_PATH) -> None:
        path.write_text(json.dumps(asdict(self), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> RelevanceModel:
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
            parts = {
                k: Linear(**{f: tuple(v) if isinstance(v, list) else v for f, v in data.pop(k).items()}) for k in ("choose", "decline")
            }
            model = cls(**parts, **{k: tuple(v) if isinstance(v, list) else v for k, v in data.items()})
        except FileNotFoundError:
            raise ModelError(f"{path}: the relevance model is missing; fit it with `policyqa relevance fit`") from None
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise ModelError(f"{path}: not a relevance model ({exc}); fit it again with `policyqa relevance fit`") from None
        if model.choose.features != FEATURES or model.decline.features != QUESTION_FEATURES:
            raise ModelError(f"{path}: fitted for other features than this version's; fit it again with `policyqa relevance fit`")
        return model

    @classmethod
    def unfitted(cls) -> RelevanceModel:
        """Ranks by nothing and declines nothing: for reading candidates before any fit."""
        return cls(Linear.neutral(FEATURES), Linear.neutral(QUESTION_FEATURES), 0.0)


@lru_cache(maxsize=1)
def default_model() -> RelevanceModel:
    return RelevanceModel.load()


@dataclass(frozen=True)
class Scored:
    hit: Hit
    choice: float  # the choice model's probability that this candidate states the answer
    judged: float | None = None  # the careful mode's judge: log-odds that it states the answer


def _logit(p: float) -> float:
    p = min(max(p, 1e-9), 1 - 1e-9)
    return math.log(p / (1 - p))


def reconsider(ranked: list[Scored], judged: Sequence[float], weight: float) -> list[Scored]:
    """The first len(judged) candidates in the careful mode's order: the chooser's log-odds
    plus the judge's, weighted; the chooser's order breaks ties, and the rest stay behind."""
    k = len(judged)
    score = [_logit(ranked[i].choice) + weight * judged[i] for i in range(k)]
    head = sorted(range(k), key=lambda i: (-score[i], i))
    return [replace(ranked[i], judged=float(judged[i])) for i in head] + list(ranked[k:])


def rank(
    hits: list[Hit], question: str, asker: str, named: Mentions, names_text: bool, model: RelevanceModel
) -> tuple[list[Scored], float]:
    """The candidates, the one most likely to state the answer first (retrieval order breaks
    ties), and the support for answering from it."""
    rows = candidate_features(hits, question, asker, named, names_text)
    choice = model.choose(rows)
    order = sorted(range(len(hits)), key=lambda i: (-choice[i], i))
    support = float(model.decline(question_features(rows, choice))[0]) if len(hits) else 0.0
    return [Scored(hits[i], float(choice[i])) for i in order], support


@dataclass(frozen=True)
class AnswerSettings:
    max_sources: int = 3  # the chosen passage and the same wording elsewhere
    max_quote_words: int = 110
    see_also: int = 3
    # An answer also lists the next provisions of the rerank, not cited, as "see also".
    nearby: int = 2
    nearby_quote_words: int = 40
    candidates: int = 8  # how many retrieved hits the relevance model weighs
    # Another candidate is cited beside the chosen one when it repeats the same wording
    # (the 2023 and 2025 versions of a resolution): share of analysed words in common.
    same_wording: float = 0.9
    # The training material's topic coverage (training/material.py), calibrated on
    # eval/questions/gold.jsonl: a topic whose best passage's cosine is under this is not
    # covered. A question and a passage in different languages score lower for the same
    # relevance, so the cross-language threshold is lower.
    min_dense: float = 0.455
    min_dense_cross: float = 0.42
    model: RelevanceModel = field(default_factory=default_model, compare=False, repr=False)
    # The careful mode's judge (judge.Judge), or None for the chooser alone.
    judge: object | None = field(default=None, compare=False, repr=False)

    def covered(self, hits: list[Hit], asker: str) -> bool:
        """Whether some passage is close enough to a training topic to draw material from it."""
        return any(h.dense >= (self.min_dense if h.passage.lang == asker else self.min_dense_cross) for h in hits)
