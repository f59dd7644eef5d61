"""Structure of treaties kept as Markdown: preamble, chapters, articles and their
numbered or lettered paragraphs, schedules, annexes and a final act.

The files come from a mirror of the Dutch treaty database and carry the Dutch
translation after the English text; only the document's own language is kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from policyqa.corpus import clean, load
from policyqa.corpus.formats.parsed import Parsed
from policyqa.text.lines import TextLine, joined, paragraphs, span, split_lines, split_where, strip_markdown
from policyqa.types import Document, Section, SubItem

HEADING = re.compile(r"^(#{2,6})\s*(.*?)\s*$")
ARTICLE = re.compile(r"^Article\s+([0-9]+|[IVXL]+)$", re.I)
CHAPTER = re.compile(r"^(?:CHAPTER\s+)?([IVXL]+)$", re.I)
SCHEDULE_PARA = re.compile(r"^Paragraph\s+(\d+)$", re.I)
LABEL = re.compile(r"^(?:(\d{1,2})\.|\(?([a-z])\)|\((\d{1,2})\)|([A-F])\.)\s*(?=\S)")


def clean_text(text: str) -> str:
    lines = [strip_markdown(clean.normalise_chars(l)) for l in text.split("\n")]
    lines = [l for l in lines if not l.lstrip().startswith("<meta")]
    return "\n".join(lines)


def _rank(match: re.Match) -> int:
    if match.group(4):
        return 0  # "A." sections of the Refugee Convention's Article 1
    if match.group(1) or match.group(3):
        return 1
    return 2


def _label(match: re.Match) -> str:
    if match.group(1):
        return f"{match.group(1)}."
    if match.group(2):
        return f"({match.group(2)})"
    if match.group(3):
        return f"({match.group(3)})"
    return f"{match.group(4)}."


@dataclass
class _Unit:
    key: str
    locator: str
    kind: str
    context: str
    lead: list[list[TextLine]] = field(default_factory=list)
    items: list[tuple[str, int, list[list[TextLine]]]] = field(default_factory=list)


def sections(text: str, lang: str) -> tuple[list[Section], list[str]]:
    lines = split_lines(text)
    warnings: list[str] = []
    blocks = paragraphs(lines)
    cut, other = clean.cut_trailing_translation([" ".join(l.text for l in b) for b in blocks], lang)
    if cut < len(blocks):
        warnings.append(f"dropped a trailing {other or 'foreign-language'} translation ({len(blocks) - cut} blocks)")
        # The translation's own heading lines sit just above the first block that votes.
        while cut > 0 and all(HEADING.match(l.text) for l in blocks[cut - 1]):
            cut -= 1
    blocks = blocks[:cut]
    vocab = clean.vocabulary(text)
    units: list[_Unit] = []
    chapter = ""
    titled: _Unit | None = None  # an article whose title heading may follow
    chapter_open = False  # a "CHAPTER I" heading whose title may follow
    unit: _Unit | None = None
    final_act = 0
    for block in split_where(blocks, lambda t: bool(LABEL.match(t) or HEADING.match(t))):
        heading = HEADING.match(block[0].text)
        if heading:
            title = heading.group(2).strip()
            if not title or (not units and not chapter and not _is_structural(title)):
                continue  # the database's title lines above the preamble
            art, chap = ARTICLE.match(title), CHAPTER.match(title)
            sched = SCHEDULE_PARA.match(title)
            if art:
                unit = titled = _Unit(f"art-{art.group(1).upper()}", f"Article {art.group(1)}", "article", chapter)
                units.append(unit)
            elif sched:
                unit = _Unit(f"schedule/para-{sched.group(1)}", f"Schedule, para {sched.group(1)}", "paragraph", "Schedule")
                units.append(unit)
                titled = None
            elif chap and chapter.startswith("Final Act"):
                chapter, titled, unit = f"Final Act › {chap.group(1).upper()}", None, None
            elif chap:
                chapter, chapter_open, titled, unit = f"Chapter {chap.group(1).upper()}", True, None, None
            elif title.upper() in {"SCHEDULE", "ANNEX"} or title.upper().startswith("FINAL ACT"):
                chapter = "Final Act" if title.upper().startswith("FINAL ACT") else title.title()
                chapter_open, titled, unit = chapter == "Annex", None, None
            elif titled is not None and not titled.lead and not titled.items:
                titled.context = f"{chapter} › {title}" if chapter else title
                titled = None
            elif chapter_open:
                chapter, chapter_open = f"{chapter}: {title}", False
            else:
                unit, titled = None, None
                chapter = f"{chapter.split(' ›')[0]} › {title}" if chapter.startswith("Final Act") else title
            continue
        body = " ".join(l.text for l in block)
        if unit is None:
            if not units and not chapter:
                unit = _Unit("preamble", "Preamble", "preamble", "")
            elif chapter.startswith("Final Act"):
                final_act += 1
                unit = _Unit(f"final-act/p-{final_act}", f"Final Act, para {final_act}", "paragraph", chapter)
            else:
                n = sum(1 for u in units if u.kind == "paragraph" and u.context == chapter) + 1
                unit = _Unit(f"{chapter.lower().replace(' ', '-')}/p-{n}", f"{chapter}, para {n}", "paragraph", chapter)
            units.append(unit)
        if body.startswith("Preamble") and unit.key == "preamble":
            block = [TextLine(block[0].text[len("Preamble") :].strip(), block[0].start + len("Preamble") + 1, block[0].end, True)] + block[
                1:
            ]
        label = LABEL.match(body)
        if label and unit.kind in {"article", "paragraph"}:
            rank = _rank(label)
            top = unit.items[0][1] if unit.items else rank
            if unit.items and rank > top:
                unit.items[-1][2].append(block)  # a sub-paragraph stays with its paragraph
            else:
                unit.items.append((_label(label), rank, [block]))
        elif unit.items:
            unit.items[-1][2].append(block)
        else:
            unit.lead.append(block)
        if unit.kind == "paragraph" and unit.context.startswith("Final Act"):
            unit = None  # each paragraph of the Final Act stands alone
    return [_build(u, vocab) for u in units if u.lead or u.items], warnings


def _text(groups: list[list[TextLine]], vocab: set[str]) -> str:
    return "\n".join(joined(g, vocab) for g in groups if g and g[0].text)


def _is_structural(title: str) -> bool:
    return bool(ARTICLE.match(title) or CHAPTER.match(title)) or title.upper() in {"SCHEDULE", "ANNEX"}


def _build(unit: _Unit, vocab: set[str]) -> Section:
    items = []
    for label, _, groups in unit.items:
        text = _text(groups, vocab)
        if text.startswith(label.strip("()")) or LABEL.match(text):
            text = LABEL.sub("", text, count=1)
        c0, c1 = span(groups[0])[0], span(groups[-1])[1]
        items.append(SubItem(label, text.strip(), None, None, c0, c1))
    all_groups = unit.lead + [g for _, _, gs in unit.items for g in gs]
    return Section(
        key=unit.key,
        locator=unit.locator,
        kind=unit.kind,
        lead=_text(unit.lead, vocab),
        items=tuple(items),
        char_start=span(all_groups[0])[0],
        char_end=span(all_groups[-1])[1],
        context=unit.context,
    )


def accepts(doc: Document) -> bool:
    return doc.family == "treaty" and doc.format == "md"


def parse(doc: Document, path: Path) -> Parsed:
    found, warnings = sections(clean_text(load.read_markdown(path).pages[0].text), doc.lang)
    return Parsed(found, 1, warnings)
