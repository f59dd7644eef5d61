"""Definitions the corpus gives: "“Child” shall mean…", "the term "refugee" shall apply to…",
"« Migrant smuggling » désigne…".

A definition is quoted from the line that states it, with the passage's lead-in ("For the
purposes of this Protocol:") when there is one, so the reader sees its scope.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from policyqa.types import Passage

_OPEN, _CLOSE = "[\"“”«‘']", "[\"“”»’']"
_TERM = rf"{_OPEN}\s*(?P<term>[^\"“”«»\n]{{2,60}}?)\s*{_CLOSE}"
PATTERNS = (
    # English: '"X" shall mean', '"X" means', 'the term "X" shall apply / shall, …, mean / implies'
    re.compile(rf"{_TERM}\s+(?:shall\s+mean|means)\b"),
    re.compile(rf"\bthe\s+term\s+{_TERM}\s+(?:shall\s+(?:apply|mean)|shall,[^.;]{{0,120}}?\bmean|means|implies|includes)\b", re.I),
    # French: '« X » désigne', '« X » s'entend', 'le terme « X » s'applique'
    re.compile(rf"{_TERM}\s+(?:désigne|s[’']entend)\b"),
    re.compile(rf"\b(?:le\s+terme|l[’']expression)\s+{_TERM}\s+(?:s[’']applique|désigne|s[’']entend)\b", re.I),
)
_SENTENCE_END = re.compile(r"(?<=[a-z)\]])[.;]\s*(?=[A-Z])")
_SCOPE = re.compile(r"^(?:[A-Z]\.\s+|\d\.\s+)?(?:For the purposes? of|Aux fins d[eu]|Au sens d[eu])\b[^\n]*$", re.I)


def _next_item(line: str) -> bool:
    """A line that starts the next lettered item, or defines another term, ends a definition."""
    return bool(re.match(r"\(?[a-h]\)\s", line)) or any(p.search(line) for p in PATTERNS)


@dataclass(frozen=True)
class Definition:
    term: str
    passage: Passage
    quote: str  # verbatim; pieces joined by "…"


def _line_units(text: str) -> list[str]:
    return [" ".join(line.split()) for line in text.split("\n") if line.strip()]


def _clip(text: str, words: int) -> str:
    parts = text.split()
    return text if len(parts) <= words else " ".join(parts[:words]) + " …"


def in_passage(passage: Passage, max_words: int = 150) -> list[Definition]:
    """Every term defined in a passage, each with its defining line quoted."""
    found: list[Definition] = []
    seen: set[str] = set()
    lines = _line_units(passage.text)
    for i, line in enumerate(lines):
        for pattern in PATTERNS:
            match = pattern.search(line)
            if not match:
                continue
            term = match.group("term").strip(" ,;:")
            if term.lower() in seen or not re.search(r"[A-Za-zÀ-ÿ]", term):
                continue
            seen.add(term.lower())
            # The defining sentence (a long line may hold several); a line ending "who:"
            # continues on its sub-items.
            starts = [m.end() for m in _SENTENCE_END.finditer(line, 0, match.start())]
            body = line[starts[-1] :] if starts else line
            pieces: list[tuple[int, str]] = [(i, _clip(body, max_words) if body == line else "… " + _clip(body, max_words))]
            budget = max_words - len(body.split())
            j = i + 1
            while body.rstrip().endswith(":") and j < len(lines) and budget > 20 and not _next_item(lines[j]):
                pieces.append((j, _clip(lines[j], budget)))
                budget -= len(lines[j].split())
                j += 1
            scope = next((k for k in range(i - 1, -1, -1) if _SCOPE.match(lines[k])), None)
            if scope is not None and len(lines[scope].split()) <= 25:
                pieces.insert(0, (scope, lines[scope]))
            quote = pieces[0][1]
            for (before, _), (at, text) in zip(pieces, pieces[1:]):
                quote += (" " if at == before + 1 else " … ") + text
            quote = quote.replace("… …", "…")
            found.append(Definition(term, passage, quote))
            break
    return found


def in_passages(passages: list[Passage] | tuple[Passage, ...]) -> list[Definition]:
    return [d for p in passages for d in in_passage(p)]
