"""What is known about each candidate passage when deciding which one states the answer: its
closeness to the question (whole passage and closest unit, and relative to the best
candidate), word overlap, its rank, its role in the text, and whether it sits at the
provision the question names. The relevance model (relevance.py) weighs them; the weights
are fitted, not set by hand (evaluation/fit.py).
"""

from __future__ import annotations

import math
import re

import numpy as np

from policyqa.answer.locators import structure
from policyqa.corpus.roles import role
from policyqa.retrieve import mentions
from policyqa.retrieve.mentions import Mentions
from policyqa.text.analysis import LANGS, analyse
from policyqa.types import Hit, Passage

FEATURES = (
    "dense",
    "unit",
    "dense_gap",  # to the best candidate's
    "unit_gap",
    "sparse",  # BM25, relative to the best candidate's
    "coverage",  # share of the question's words in the passage (same language only)
    "same_language",
    "reciprocal_rank",
    "located",  # at the article / paragraph / objective the question names
    "chapeau",  # located, and the provision's opening rather than a sub-item
    "preambular",
    "procedural",
    "names_text",  # the question names a text (the search was restricted to it)
    "log_words",
)
# A best BM25 under this is no real word match (a French question scored against English
# text gets about 0.5 from shared stems), so it is not scaled up to count as a full one.
SPARSE_FLOOR = 2.0
_SUB_ITEMS = re.compile(r"(?:\([a-z]{1,4}\)|\d\.)(?:–(?:\([a-z]{1,4}\)|\d{1,2}\.))?$")


def _sub_items(p: Passage) -> bool:
    """Whether the passage is a run of a paragraph's sub-items rather than its opening. The
    English pattern stays what the weights were fitted on; a French UN text's "a)–b)" (no
    opening parenthesis) is read from the locator's structure."""
    if _SUB_ITEMS.search(p.locator):
        return True
    where = structure(p)
    return where is not None and any(x[0].islower() for x in where.items)


def candidate_features(hits: list[Hit], question: str, asker: str, named: Mentions, names_text: bool) -> np.ndarray:
    """One row of FEATURES per hit, in the order of `hits`."""
    if not hits:
        return np.zeros((0, len(FEATURES)), dtype=np.float64)
    units = [h.unit if h.unit is not None and h.unit > -1 else h.dense for h in hits]
    best_dense, best_unit = max(h.dense for h in hits), max(units)
    best_sparse = max(max(h.sparse for h in hits), SPARSE_FLOOR)
    provision = bool(named.articles or named.paragraphs or named.objectives)
    words = set(analyse(question, asker)) if asker in LANGS else set()
    rows = []
    for rank, (h, unit) in enumerate(zip(hits, units), 1):
        p = h.passage
        same = p.lang == asker
        coverage = len(words & set(analyse(p.text, asker))) / len(words) if words and same else 0.0
        located = provision and mentions.locator_matches(p, named)
        part = role(p)
        rows.append(
            (
                h.dense,
                unit,
                h.dense - best_dense,
                unit - best_unit,
                h.sparse / best_sparse,
                coverage,
                float(same or any(o.lang == asker for o in h.other_versions)),
                1.0 / rank,
                float(located),
                float(located and not _sub_items(p)),
                float(part == "preambular"),
                float(part == "procedural"),
                float(names_text),
                math.log1p(len(p.text.split())),
            )
        )
    return np.asarray(rows, dtype=np.float64)


# What decides whether to answer at all, once a candidate is chosen: how likely the choice
# model finds it, and how close the question is to it and to the best of the pool in absolute
# terms (an unanswerable question still has a relatively best candidate).
QUESTION_FEATURES = ("choice", "dense", "unit", "best_dense", "best_unit", "same_language", "names_text")


def question_features(rows: np.ndarray, choice: np.ndarray) -> np.ndarray:
    """One row of QUESTION_FEATURES for the candidate `choice` ranks first."""
    if not len(rows):
        return np.zeros(len(QUESTION_FEATURES))
    i = {name: n for n, name in enumerate(FEATURES)}
    best = int(np.argmax(choice))
    top = rows[best]
    return np.asarray(
        [
            choice[best],
            top[i["dense"]],
            top[i["unit"]],
            rows[:, i["dense"]].max(),
            rows[:, i["unit"]].max(),
            top[i["same_language"]],
            top[i["names_text"]],
        ]
    )
