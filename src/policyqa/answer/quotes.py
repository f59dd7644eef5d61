"""What is quoted from a passage: the sentences or sub-items that bear on the question,
verbatim, in document order; and how far two passages say the same thing."""

from __future__ import annotations

import re

from policyqa.text.analysis import LANGS, analyse
from policyqa.text.units import units as _units
from policyqa.types import Passage

# Per shared question word, added to a unit's cosine when choosing what to quote (see eval/README.md).
QUOTE_LEXICAL_WEIGHT = 0.02
_LABEL = re.compile(r"^(?:\(?[a-z]{1,3}\)|\d{1,2}\.|[A-F]\.)\s")


def select_quote(
    passage: Passage, question: str, max_words: int, unit_scores: list[float] | None = None, lexical_weight: float = QUOTE_LEXICAL_WEIGHT
) -> str:
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


def preview(p: Passage, words: int = 40) -> str:
    """The passage's first words, for a passage shown but not quoted (a refusal's closest passages)."""
    head = p.text.split()
    return " ".join(head[:words]) + (" …" if len(head) > words else "")


def same_wording(a: Passage, b: Passage) -> float:
    """Share of analysed words two passages have in common (Jaccard); 0 across languages."""
    if a.lang != b.lang or a.lang not in LANGS:
        return 0.0
    x, y = set(analyse(a.text, a.lang)), set(analyse(b.text, b.lang))
    return len(x & y) / len(x | y) if x | y else 0.0
