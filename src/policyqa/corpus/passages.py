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


def neutral_label(label: str) -> str:
    """A sub-item's label as parallel keys write it: French "a)" is English "(a)"."""
    match = re.fullmatch(r"\(?([a-z]{1,4})\)", label)
    return f"({match.group(1)})" if match else label


def _cut_at(items: tuple[SubItem, ...], starts: tuple[str, ...]) -> list[list[SubItem]] | None:
    """The items cut into runs opening at the labels `starts` (neutral), or None when the labels
    are not this section's own (then the usual sizing applies)."""
    labels = [neutral_label(i.label) for i in items]
    if not starts or labels[:1] != list(starts[:1]) or not set(starts) <= set(labels):
        return None
    groups: list[list[SubItem]] = []
    for item, label in zip(items, labels):
        if label in starts or not groups:
            groups.append([])
        groups[-1].append(item)
    return groups


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


def split_section(doc: Document, section: Section, sizing: Sizing = Sizing(), runs: tuple[str, ...] | None = None) -> list[Passage]:
    """`runs`: how the same section was cut in another language version ("lead" when its lead-in
    was a passage of its own, then the labels its runs of sub-items open at; empty when it was
    kept whole), so that both versions are cut alike and each passage has its counterpart."""
    text = section.text.strip()
    if not text:
        return []
    whole = (section.page_start, section.page_end), (section.char_start, section.char_end)
    starts = tuple(r for r in runs or () if r != "lead")
    followed = _cut_at(section.items, starts) if section.items and starts else None
    if (_words(text) <= sizing.max_words and followed is None) or (runs == () and section.items):
        return [_make(doc, section, section.locator, text, section.key, *whole)]
    if section.items:
        lead = section.lead.strip()
        repeat = _words(lead) <= sizing.max_lead_words if followed is None else "lead" not in (runs or ())
        budget = sizing.target_words - (_words(lead) if repeat else 0)
        groups = followed or _group_items(section.items, max(budget, 80))
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
            # Cut like the other version, the runs are the same provisions: their keys are
            # written alike. Cut by size, a run starting at the same label may not end alike.
            label = neutral_label(group[0].label) if followed else group[0].label
            out.append(_make(doc, section, locator, text, f"{section.key}/{label}", pages, chars))
        return out
    chunks = _sentences(text, sizing.target_words)
    if len(chunks) == 1:
        return [_make(doc, section, section.locator, text, section.key, *whole)]
    return [
        _make(doc, section, f"{section.locator} (part {i} of {len(chunks)})", chunk, f"{section.key}/part-{i}", *whole)
        for i, chunk in enumerate(chunks, 1)
    ]


def to_passages(
    doc: Document, sections: list[Section], sizing: Sizing = Sizing(), runs: dict[str, tuple[str, ...]] | None = None
) -> list[Passage]:
    passages: list[Passage] = []
    for section in sections:
        passages.extend(split_section(doc, section, sizing, (runs or {}).get(section.key)))
    return passages


def runs_of(passages: list[Passage]) -> dict[str, tuple[str, ...]]:
    """How each section was cut: the labels its runs of sub-items open at, or () when it was
    kept whole. Sections cut by sentences are left out: sentences do not correspond one for one."""
    found: dict[str, list[str]] = {}
    for p in passages:
        part = p.parallel_key.split("#", 1)[-1]
        rest = part[len(p.section_key) + 1 :] if part.startswith(p.section_key + "/") else ""
        labels = found.setdefault(p.section_key, [])
        if part != p.section_key:
            labels.append(rest if rest and not rest.startswith("part-") else "-")
    return {key: tuple(labels) for key, labels in found.items() if "-" not in labels}


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
