"""A document's provisions, whole, rebuilt from its passages: the unit two versions are
compared by. A long paragraph is indexed as several passages, each repeating the lead-in
(so each can be quoted alone); here it is one text again, the lead-in once."""

from __future__ import annotations

import re
from dataclasses import dataclass

from policyqa.types import Passage

_ITEM_RANGE = re.compile(r"\s*\([^)]*\)(?:\s*[–-]\s*\([^)]*\))?\s*$")  # "op. 5 (a)–(b)" -> "op. 5"
_PART = re.compile(r"\s*\(part \d+ of \d+\)\s*$")


@dataclass(frozen=True)
class Provision:
    key: str  # the structural key ("op-5", "pp-12"), shared by a paragraph's passages
    locator: str  # as a reader cites it ("op. 5", "preambular para 12")
    kind: str  # "preambular", "operative" or "other": only the same kind can be one paragraph
    text: str
    page_start: int
    page_end: int
    passage_ids: tuple[str, ...]
    position: int  # 0-based, in the document's order


def kind_of(key: str) -> str:
    if key.startswith("pp-"):
        return "preambular"
    if key.startswith("op-"):
        return "operative"
    return "other"


def _lead(text: str) -> str:
    """A paragraph's lead-in: what comes before its first sub-item line."""
    match = re.search(r"\n\s*\([a-z0-9]+\)", text)
    return text[: match.start()] if match else ""


def provisions_of(passages: list[Passage]) -> list[Provision]:
    """One Provision per section key, in document order (passages must be in that order)."""
    groups: dict[str, list[Passage]] = {}
    for p in passages:
        groups.setdefault(p.section_key or p.id, []).append(p)
    found = []
    for position, (key, parts) in enumerate(groups.items()):
        text = parts[0].text
        lead = _lead(text)
        for part in parts[1:]:
            # The next part repeats the lead-in; keep only what follows it.
            rest = part.text[len(lead) :] if lead and part.text.startswith(lead) else "\n" + part.text
            text += rest if rest.startswith("\n") else "\n" + rest.lstrip()
        locator = _PART.sub("", _ITEM_RANGE.sub("", parts[0].locator)) or parts[0].locator
        found.append(
            Provision(key, locator, kind_of(key), text, parts[0].page_start, parts[-1].page_end, tuple(p.id for p in parts), position)
        )
    return found
