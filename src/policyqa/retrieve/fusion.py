"""Reciprocal-rank fusion: a pure function over ranked lists."""

from __future__ import annotations

from collections.abc import Sequence


def reciprocal_rank_fusion(rankings: Sequence[tuple[Sequence[int], float]], k: int = 60) -> dict[int, float]:
    """Fuse ranked lists of ids, each with a weight: score = Σ weight / (k + rank).

    A list with weight 0 contributes nothing, which is how a BM25 list in a language other
    than the question's is kept from drowning the dense list in noise.
    """
    fused: dict[int, float] = {}
    for ranking, weight in rankings:
        if weight <= 0:
            continue
        for rank, item in enumerate(ranking, 1):
            fused[item] = fused.get(item, 0.0) + weight / (k + rank)
    return fused
