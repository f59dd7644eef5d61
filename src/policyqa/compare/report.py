"""A comparison as the CLI prints it and as JSON (`policyqa compare --json`, GET /v1/compare)."""

from __future__ import annotations

from policyqa.compare.align import Pair
from policyqa.compare.provisions import Provision
from policyqa.compare.versions import Comparison
from policyqa.compare.words import rendered
from policyqa.types import Document


def _document(d: Document) -> dict:
    return {"id": d.id, "symbol": d.symbol, "title": d.title, "adopted": d.adopted, "session": d.session}


def _provision(p: Provision | None) -> dict | None:
    if p is None:
        return None
    return {
        "key": p.key,
        "locator": p.locator,
        "page_start": p.page_start,
        "page_end": p.page_end,
        "passage_ids": list(p.passage_ids),
        "text": p.text,
    }


def pair_data(pair: Pair) -> dict:
    return {
        "status": pair.status,
        "moved": pair.moved,
        "similarity": pair.similarity,
        "old": _provision(pair.old),
        "new": _provision(pair.new),
        "diff": [{"op": piece.op, "text": piece.text} for piece in pair.diff],
    }


def comparison_data(comparison: Comparison, changes_only: bool = False) -> dict:
    pairs = [p for p in comparison.pairs if not changes_only or p.status != "unchanged" or p.moved]
    return {
        "old": _document(comparison.old),
        "new": _document(comparison.new),
        "counts": comparison.counts(),
        "pairs": [pair_data(p) for p in pairs],
    }


def _where(d: Document, p: Provision) -> str:
    pages = f"p. {p.page_start}" if p.page_start == p.page_end else f"pp. {p.page_start}–{p.page_end}"
    return f"{d.symbol or d.id}, {p.locator}, {pages}"


def comparison_text(comparison: Comparison, changes_only: bool = True) -> str:
    old, new = comparison.old, comparison.new
    c = comparison.counts()
    lines = [
        f"{old.symbol or old.id} ({old.adopted[:4]}) → {new.symbol or new.id} ({new.adopted[:4]}): "
        f"{c['amended']} amended, {c['added']} added, {c['dropped']} dropped, {c['moved']} moved, {c['unchanged']} unchanged",
        "",
    ]
    for pair in comparison.pairs:
        if changes_only and pair.status == "unchanged" and not pair.moved:
            continue
        moved = " (moved)" if pair.moved else ""
        if pair.status == "added":
            lines += [f"ADDED  {_where(new, pair.new)}", f"  {pair.new.text}", ""]
        elif pair.status == "dropped":
            lines += [f"DROPPED  {_where(old, pair.old)}", f"  {pair.old.text}", ""]
        elif pair.status == "amended":
            lines += [f"AMENDED{moved}  {_where(old, pair.old)} → {_where(new, pair.new)}", f"  {rendered(list(pair.diff))}", ""]
        else:
            lines += [f"UNCHANGED{moved}  {_where(old, pair.old)} → {_where(new, pair.new)}", ""]
    return "\n".join(lines).rstrip() + "\n"
