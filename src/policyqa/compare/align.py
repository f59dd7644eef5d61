"""Aligning the paragraphs of two versions, whatever their renumbering.

Each paragraph of the old version is paired with at most one of the new, of the same kind
(preambular with preambular, operative with operative), by an optimal assignment over their
similarity: the share of words they have in common, in order. A pair whose words are mostly
new is accepted only when the meaning stays (the embeddings' cosine is high): a provision
reworded is the same provision, a new one on a neighbouring subject is not. Then:

- unchanged: the same words; amended: paired, with other words;
- moved: paired, but out of the order the other pairs keep (outside their longest common
  ordering), whether amended or not;
- dropped: an old paragraph left unpaired; added: a new one left unpaired.

The thresholds were set before any alignment was measured (eval/README.md, "Comparing
versions"), not fitted to the hand-checked alignments they are measured against.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment

from policyqa.compare.provisions import Provision
from policyqa.compare.words import Piece, normal, similarity, word_diff

SAME_WORDING = 0.5  # at least half the words in common, in order: the same paragraph
REWORDED = 0.3  # from here to SAME_WORDING, the same paragraph only if the meaning stays
SAME_MEANING = 0.9  # the cosine of the two paragraphs' embeddings that says it stays


@dataclass(frozen=True)
class Pair:
    status: str  # unchanged | amended | added | dropped
    old: Provision | None
    new: Provision | None
    similarity: float  # words in common, 0 for an unpaired paragraph
    moved: bool = False
    diff: tuple[Piece, ...] = ()  # for an amended pair


def _quick_overlap(a: set[str], b: set[str]) -> float:
    return len(a & b) / max(1, min(len(a), len(b)))


def align(old: list[Provision], new: list[Provision], cosine: np.ndarray | None = None) -> list[Pair]:
    """`cosine[i, j]`: the embeddings' cosine of old[i] and new[j], when known."""
    n, m = len(old), len(new)
    score = np.zeros((n, m))
    words_old = [set(normal(p.text).lower().split()) for p in old]
    words_new = [set(normal(p.text).lower().split()) for p in new]
    for i, a in enumerate(old):
        for j, b in enumerate(new):
            # The exact measure is quadratic in words: only for paragraphs sharing a fair
            # part of their vocabulary, which every pair worth keeping does.
            if a.kind != b.kind or _quick_overlap(words_old[i], words_new[j]) < 0.3:
                continue
            s = 1.0 if normal(a.text) == normal(b.text) else similarity(a.text, b.text)
            meaning_stays = cosine is not None and cosine[i, j] >= SAME_MEANING
            if s >= SAME_WORDING or (s >= REWORDED and meaning_stays):
                score[i, j] = s
    rows, cols = linear_sum_assignment(-score) if n and m else ((), ())
    matched = {int(i): int(j) for i, j in zip(rows, cols) if score[i, j] > 0}
    moved = _out_of_order(matched)
    pairs: list[Pair] = []
    taken = set(matched.values())
    for i, a in enumerate(old):
        if i not in matched:
            pairs.append(Pair("dropped", a, None, 0.0))
            continue
        b = new[matched[i]]
        if normal(a.text) == normal(b.text):
            pairs.append(Pair("unchanged", a, b, 1.0, i in moved))
        else:
            pairs.append(Pair("amended", a, b, round(float(score[i, matched[i]]), 3), i in moved, tuple(word_diff(a.text, b.text))))
    pairs += [Pair("added", None, b, 0.0) for j, b in enumerate(new) if j not in taken]
    # In the new version's order; a dropped paragraph just after the successor of the old
    # paragraph before it.
    anchor, last = {}, -1
    for i in range(n):
        if i in matched:
            last = matched[i]
        anchor[old[i].key] = last

    def place(pair: Pair) -> tuple[float, int]:
        if pair.new is not None:
            return (pair.new.position, 0)
        return (anchor[pair.old.key] + 0.5, pair.old.position)

    return sorted(pairs, key=place)


def _out_of_order(matched: dict[int, int]) -> set[int]:
    """The old rows whose pair is outside the longest run of pairs that keep their order."""
    olds = sorted(matched)
    news = [matched[i] for i in olds]
    # Longest increasing subsequence of the new positions, with its members.
    tails: list[int] = []
    tail_index: list[int] = []
    previous = [-1] * len(news)
    for k, value in enumerate(news):
        at = bisect.bisect_left(tails, value)
        if at == len(tails):
            tails.append(value)
            tail_index.append(k)
        else:
            tails[at] = value
            tail_index[at] = k
        previous[k] = tail_index[at - 1] if at else -1
    keep = set()
    k = tail_index[-1] if tail_index else -1
    while k != -1:
        keep.add(olds[k])
        k = previous[k]
    return set(olds) - keep
