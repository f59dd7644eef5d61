"""A passage's units: its lines (lead-in, sub-items), long lines cut into sentences.

Units are what the extractive answerer quotes, and the index embeds each one as well as the
whole passage: a long passage's vector is an average of its topics, while the one line that
answers a question matches it closely. Both sides must cut units the same way, so the
cutting lives here.
"""

from __future__ import annotations

import re

# A line longer than this is cut into sentences; shorter lines are kept whole.
MAX_LINE_WORDS = 60
_SENTENCE = re.compile(r"(?<=[.;:])\s+(?=[A-ZÀ-Ý«“\"(])")


def units(text: str) -> list[str]:
    """Lines (lead-in and sub-items), long lines cut into sentences, in document order."""
    out: list[str] = []
    for line in (l.strip() for l in text.split("\n")):
        if not line:
            continue
        out += [s for s in _SENTENCE.split(line) if s.strip()] if len(line.split()) > MAX_LINE_WORDS else [line]
    return out
