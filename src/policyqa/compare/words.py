"""A word-level difference between two texts, each word kept with its own spacing, so the
pieces put back together give each text exactly."""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

_WORD = re.compile(r"\S+\s*")


@dataclass(frozen=True)
class Piece:
    op: str  # "equal", "delete" (only in the old text), "insert" (only in the new)
    text: str


def _words(text: str) -> list[str]:
    return _WORD.findall(" ".join(text.split()))


def normal(text: str) -> str:
    return " ".join(text.split())


def word_diff(old: str, new: str) -> list[Piece]:
    a, b = _words(old), _words(new)
    # Compared without their spacing (a line break is not an amendment); shown with it.
    matcher = SequenceMatcher(None, [w.strip() for w in a], [w.strip() for w in b], autojunk=False)
    pieces: list[Piece] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            pieces.append(Piece("equal", "".join(b[j1:j2])))
            continue
        if i2 > i1:
            pieces.append(Piece("delete", "".join(a[i1:i2])))
        if j2 > j1:
            pieces.append(Piece("insert", "".join(b[j1:j2])))
    return pieces


def similarity(old: str, new: str) -> float:
    """The share of words two texts have in common, in order (difflib's ratio over words)."""
    a, b = [w.strip().lower() for w in _words(old)], [w.strip().lower() for w in _words(new)]
    if not a and not b:
        return 1.0
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


def rendered(pieces: list[Piece]) -> str:
    """The difference as text: [-dropped words-] {+added words+}."""
    out = []
    for n, piece in enumerate(pieces):
        text = piece.text.rstrip()
        tail = piece.text[len(text) :]
        if not tail and piece.op == "delete" and n + 1 < len(pieces):
            tail = " "  # between what was dropped and what replaced it
        out.append(text + tail if piece.op == "equal" else (f"[-{text}-]" if piece.op == "delete" else f"{{+{text}+}}") + tail)
    return "".join(out)
