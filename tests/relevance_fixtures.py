"""A hand-written relevance model for unit tests over tiny hashing-embedder indexes, where the
fitted model's weights (fitted on the real corpus and encoder) mean nothing: it prefers the
closest unit and passage, an operative provision and the provision a question names, and
answers when the best candidate's cosine reaches `min_dense`."""

from __future__ import annotations

from policyqa.answer.features import FEATURES, QUESTION_FEATURES
from policyqa.answer.relevance import Linear, RelevanceModel

_CHOOSE = {"dense": 3.0, "unit": 1.0, "sparse": 0.05, "located": 0.5, "chapeau": 0.3, "preambular": -1.0, "procedural": -1.0}


def fixed_model(min_dense: float = 0.05) -> RelevanceModel:
    n, m = len(FEATURES), len(QUESTION_FEATURES)
    choose = Linear(FEATURES, (0.0,) * n, (1.0,) * n, tuple(_CHOOSE.get(f, 0.0) for f in FEATURES), 0.0)
    # Support above one half exactly when the chosen candidate's cosine reaches min_dense.
    weights = tuple(200.0 if f == "dense" else 0.0 for f in QUESTION_FEATURES)
    decline = Linear(QUESTION_FEATURES, (0.0,) * m, (1.0,) * m, weights, -200.0 * min_dense)
    return RelevanceModel(choose, decline, 0.5)
