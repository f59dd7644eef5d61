"""A document's provisions, whole, rebuilt from its passages: the unit two versions are
compared by. A long paragraph is indexed as several passages, each repeating the lead-in
(so each can be quoted alone); here it is one text again, the lead-in once."""

from __future__ import annotations

import re
from dataclasses import dataclass

from policyqa.types import Passage

_ITEM_RANGE = re.compile(r"\s*\([^)]*\)(?:\s*[–-]\s*\([^)]*\))?\s*$")  # "op. 5 (a)–(b)" -> "op. 5"
_PART = re.compile(r"\s*\(part \d+ of \d+\)\s*$")
# A French UN text writes its sub-items without an opening parenthesis: « par. 5 a)–b) » for
# "op. 5 (a)–(b)", and a line "a) Demande …" for "(a) Calls upon …".
_FR_ITEM_RANGE = re.compile(r"\s+[a-z]{1,4}\)(?:\s*[–-]\s*[a-z]{1,4}\))?\s*$")  # "par. 5 a)–b)" -> "par. 5"
_FIRST_ITEM = {"en": re.compile(r"\n\s*\([a-z0-9]+\)"), "fr": re.compile(r"\n\s*(?:\([a-z0-9]+\)|[a-z]{1,4}\)\s)")}


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


def _lead(text: str, lang: str = "en") -> str:
    """A paragraph's lead-in: what comes before its first sub-item line."""
    match = _FIRST_ITEM.get(lang, _FIRST_ITEM["en"]).search(text)
    return text[: match.start()] if match else ""


def _bare(p: Passage) -> str:
    """The passage's locator without its run of sub-items or its part: the whole paragraph's."""
    locator = _ITEM_RANGE.sub("", p.locator)
    if p.lang == "fr":
        locator = _FR_ITEM_RANGE.sub("", locator)
    return _PART.sub("", locator) or p.locator


def provisions_of(passages: list[Passage]) -> list[Provision]:
    """One Provision per section key, in document order (passages must be in that order)."""
    groups: dict[str, list[Passage]] = {}
    for p in passages:
        groups.setdefault(p.section_key or p.id, []).append(p)
    found = []
    for position, (key, parts) in enumerate(groups.items()):
        text = parts[0].text
        lead = _lead(text, parts[0].lang)
        for part in parts[1:]:
            # The next part repeats the lead-in; keep only what follows it.
            rest = part.text[len(lead) :] if lead and part.text.startswith(lead) else "\n" + part.text
            text += rest if rest.startswith("\n") else "\n" + rest.lstrip()
        locator = _bare(parts[0])
        found.append(
            Provision(key, locator, kind_of(key), text, parts[0].page_start, parts[-1].page_end, tuple(p.id for p in parts), position)
        )
    return found
