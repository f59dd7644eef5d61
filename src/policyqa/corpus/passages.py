"""Sizing sections into citable passages with stable ids and parallel keys.

A passage is the smallest unit that stands alone and can be cited: a numbered paragraph,
or, when a paragraph is long, a run of its sub-items with the paragraph's lead-in kept so
the run still reads as a whole.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace

from policyqa.types import Document, Passage, Section, SubItem


@dataclass(frozen=True)
class Sizing:
    max_words: int = 350
    target_words: int = 220  # sub-items are grouped up to about this size
    max_lead_words: int = 90  # a longer lead-in is repeated only in the first passage


def passage_id(doc_id: str, locator: str, text: str) -> str:
    return hashlib.sha256(f"{doc_id}\x1f{locator}\x1f{text}".encode()).hexdigest()[:16]


def _words(text: str) -> int:
    return len(text.split())


def _item_text(item: SubItem) -> str:
    return f"{item.label} {item.text}".strip()


def _group_items(items: tuple[SubItem, ...], budget: int) -> list[list[SubItem]]:
    groups: list[list[SubItem]] = [[]]
    size = 0
    for item in items:
        n = _words(_item_text(item))
        if groups[-1] and size + n > budget:
            groups.append([])
            size = 0
        groups[-1].append(item)
        size += n
    return groups


def _sentences(text: str, budget: int) -> list[str]:
    """Split an unstructured long paragraph at sentence ends, about `budget` words each."""
    sentences = re.split(r"(?<=[.;:])\s+(?=[A-Z«“\"(])", text)
    chunks: list[str] = [""]
    for sentence in sentences:
        if chunks[-1] and _words(chunks[-1]) + _words(sentence) > budget:
            chunks.append("")
        chunks[-1] = f"{chunks[-1]} {sentence}".strip()
    return chunks


def _range(items: list[SubItem]) -> str:
    first, last = items[0].label, items[-1].label
    return first if first == last else f"{first}–{last}"


def _make(
    doc: Document,
    section: Section,
    locator: str,
    text: str,
    part_key: str,
    pages: tuple[int | None, int | None],
    chars: tuple[int | None, int | None],
) -> Passage:
    group = doc.parallel_group or doc.id
    return Passage(
        id=passage_id(doc.id, locator, text),
        doc_id=doc.id,
        lang=doc.lang,
        locator=locator,
        text=text,
        page_start=pages[0],
        page_end=pages[1],
        char_start=chars[0],
        char_end=chars[1],
        parallel_key=f"{group}#{part_key}",
        section_key=section.key,
        notes=section.notes,
        context=section.context,
    )


def split_section(doc: Document, section: Section, sizing: Sizing = Sizing()) -> list[Passage]:
    text = section.text.strip()
    if not text:
        return []
    whole = (section.page_start, section.page_end), (section.char_start, section.char_end)
    if _words(text) <= sizing.max_words:
        return [_make(doc, section, section.locator, text, section.key, *whole)]
    if section.items:
        lead = section.lead.strip()
        repeat = _words(lead) <= sizing.max_lead_words
        budget = sizing.target_words - (_words(lead) if repeat else 0)
        groups = _group_items(section.items, max(budget, 80))
        out: list[Passage] = []
        if lead and not repeat:
            # A long lead-in is a passage of its own; the item runs follow it.
            out.append(
                _make(
                    doc,
                    section,
                    section.locator,
                    lead,
                    f"{section.key}/lead",
                    (section.page_start, section.page_start),
                    (section.char_start, None),
                )
            )
        for group in groups:
            body = "\n".join(_item_text(i) for i in group)
            text = f"{lead}\n{body}" if lead and repeat else body
            locator = f"{section.locator} {_range(group)}"
            pages = (group[0].page_start, group[-1].page_end)
            chars = (group[0].char_start, group[-1].char_end)
            out.append(_make(doc, section, locator, text, f"{section.key}/{group[0].label}", pages, chars))
        return out
    chunks = _sentences(text, sizing.target_words)
    if len(chunks) == 1:
        return [_make(doc, section, section.locator, text, section.key, *whole)]
    return [
        _make(doc, section, f"{section.locator} (part {i} of {len(chunks)})", chunk, f"{section.key}/part-{i}", *whole)
        for i, chunk in enumerate(chunks, 1)
    ]


def to_passages(doc: Document, sections: list[Section], sizing: Sizing = Sizing()) -> list[Passage]:
    passages: list[Passage] = []
    for section in sections:
        passages.extend(split_section(doc, section, sizing))
    return passages


def pair_parallel(passages_by_doc: dict[str, list[Passage]]) -> dict[str, list[Passage]]:
    """Keep a parallel key only where the languages of a group share it one for one.

    Documents are paired when they share a parallel group; a key that has no counterpart,
    or a group whose versions are structured differently, keeps no parallel key, because
    a wrong "other-language version" is worse than none.
    """
    groups: dict[str, dict[str, list[Passage]]] = {}
    for doc_id, items in passages_by_doc.items():
        for p in items:
            groups.setdefault(p.parallel_key.split("#", 1)[0], {}).setdefault(doc_id, []).append(p)
    out: dict[str, list[Passage]] = {}
    for docs in groups.values():
        key_sets = [{p.parallel_key for p in items} for items in docs.values()]
        section_sets = [{p.section_key for p in items} for items in docs.values()]
        langs = {items[0].lang for items in docs.values()}
        shared = set.intersection(*key_sets) if len(docs) > 1 and len(langs) == len(docs) else set()
        # Versions are aligned only when they have exactly the same structural units;
        # two texts with one paragraph more on one side would otherwise pair off by one.
        aligned = len(docs) > 1 and all(ss == section_sets[0] for ss in section_sets)
        for doc_id, items in docs.items():
            out[doc_id] = [p if (aligned and p.parallel_key in shared) else replace(p, parallel_key="") for p in items]
    return out
