"""Sections, with their keys and locators, from the two parts of a consolidation that hold
law: the body's `Section` elements and the schedules.

Keys are built only from numbers and labels the two language versions share, so that the
English and French files of one law pair up; locators use the document's own words.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from policyqa.corpus.formats.xml.lines import child_lines, table_rows, unit_lines
from policyqa.corpus.formats.xml.schema import (
    NESTED,
    Doc,
    inline,
    is_repealed,
    key_label,
    label_of,
    local,
    title_case_label,
)
from policyqa.types import Section, SubItem

_AMENDING_SCHEDULES = frozenset({"RelatedProvs", "NifProvs"})
# "[Amendments]" / "[Modifications]" stand in for consequential amendments already spent.
_PLACEHOLDER = re.compile(r"^\[[^\]]*\]$")


# --- body sections ------------------------------------------------------------------------


def body_sections(body: ET.Element, doc: Doc) -> list[Section]:
    sections: list[Section] = []
    part = ""
    for child in body:
        tag = local(child.tag)
        if tag == "Heading":
            part = _part_after(child, part)
        elif tag == "Section":
            section = _body_section(child, doc, part)
            if section is not None:
                sections.append(section)
        elif tag:
            doc.warn(f"unexpected element <{tag}> in <Body> skipped")
    return sections


def _part_after(heading: ET.Element, part: str) -> str:
    """The Part a heading opens. Only level-1 headings open or close a Part, and only a
    labelled one ("PART 2") names it: "Short Title" or "Transitional Provisions" before or
    after the Parts belong to none."""
    if heading.get("level", "1") != "1":
        return part
    label = label_of(heading)
    return title_case_label(label) if label else ""


def _body_section(elem: ET.Element, doc: Doc, part: str) -> Section | None:
    label = label_of(elem)
    if is_repealed(elem):
        return None
    if not label:
        doc.warn("a <Section> without a <Label> was skipped")
        return None
    key = f"s-{key_label(label)}"
    notes: list[str] = []
    heading = inline(elem.find("MarginalNote"))
    own = inline(elem.find("Text"))
    items = _section_items(elem, doc, key, notes)
    if not items and (not own or _PLACEHOLDER.match(own)):
        if not own:
            doc.warn(f"{key}: no text left after cleaning, skipped")
        return None
    unit = doc.units if " " in label else doc.unit
    locator = f"{unit} {label}"
    if part:
        locator = f"{part} › {locator}"
    if heading:
        locator += f" — {heading}"
    lead = "\n".join(t for t in (heading, own) if t)
    return Section(key, locator, "section", lead, tuple(items), notes=tuple(notes))


def _section_items(elem: ET.Element, doc: Doc, key: str, notes: list[str]) -> list[SubItem]:
    """Subsections become items; in a section without subsections its paragraphs or
    definitions do. A subsection's marginal note opens its text, as it does in print."""
    items: list[SubItem] = []
    for child in elem:
        tag = local(child.tag)
        if tag in ("Subsection", "Paragraph", "Definition"):
            if is_repealed(child):
                continue
            lines = unit_lines(child, doc, key, notes)
            heading = inline(child.find("MarginalNote"))
            if lines:
                text = "\n".join([heading] + lines if heading else lines)
                items.append(SubItem(label_of(child), text))
        else:
            lines = child_lines(child, doc, key, notes)
            if lines:
                items.append(SubItem("", "\n".join(lines)))
    return items


# --- schedules --------------------------------------------------------------------------


@dataclass
class _Loose:
    """Schedule content outside numbered provisions and tables."""

    lines: list[str] = field(default_factory=list)
    items: list[SubItem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Schedule:
    key: str  # "sch-1.1"
    name: str  # "Schedule 1.1" / "Annexe 1.1", as the document labels it
    title: str  # "Country"; empty when the schedule has none


def schedule_sections(sch: ET.Element, ordinal: int, doc: Doc) -> list[Section]:
    form = sch.find("ScheduleFormHeading")
    if sch.get("id") in _AMENDING_SCHEDULES or (form is not None and form.get("type") == "amending"):
        return []
    if sch.find("Repealed") is not None:
        return []
    label = label_of(form) if form is not None else ""
    title = inline(form.find("TitleText")) if form is not None else ""
    number = re.search(r"\d+(?:\.\d+)*", label)
    sched = _Schedule(
        key=f"sch-{number.group() if number else ordinal}",
        name=title_case_label(label) or ("Schedule" if doc.lang == "en" else "Annexe"),
        title=title,
    )
    sections: list[Section] = []
    loose = _Loose()
    tables = [c for c in sch if local(c.tag) == "TableGroup"]
    for child in sch:
        tag = local(child.tag)
        if tag in ("ScheduleFormHeading", "HistoricalNote", ""):
            continue
        if tag == "DocumentInternal":
            sections += _document_internal(child, sched, doc)
        elif tag == "TableGroup":
            sections.append(_table_section(child, sched, tables, doc))
        elif tag == "Provision" and label_of(child):
            sections.append(_provision_section(child, sched, "", "", doc))
        elif tag == "List":
            # Entries of a list (countries) are items; prose around them stays in the lead.
            loose.items += _list_items(child, doc, sched.key, loose.notes)
        else:
            loose.lines += child_lines(child, doc, sched.key, loose.notes)
    if loose.lines or loose.items:
        sections.insert(0, _loose_schedule_section(sched, loose))
    if not sections:
        doc.warn(f"{sched.key}: schedule has no text that could be read")
    return sections


def _loose_schedule_section(sched: _Schedule, loose: _Loose) -> Section:
    """A schedule without numbered provisions (a country list, the oath) is one unit."""
    locator = f"{sched.name} — {sched.title}" if sched.title else sched.name
    lead = "\n".join([sched.title, *loose.lines] if sched.title else loose.lines)
    return Section(sched.key, locator, "section", lead, tuple(loose.items), notes=tuple(loose.notes))


def _list_items(elem: ET.Element, doc: Doc, where: str, notes: list[str]) -> list[SubItem]:
    items = []
    for entry in elem:
        if local(entry.tag) == "Item" and not is_repealed(entry):
            lines = unit_lines(entry, doc, where, notes)
            if lines:
                items.append(SubItem(label_of(entry), "\n".join(lines)))
    return items


def _document_internal(elem: ET.Element, sched: _Schedule, doc: Doc) -> list[Section]:
    """A document reproduced in a schedule: groups (one per treaty article) of provisions."""
    sections: list[Section] = []
    groups = [g for g in elem if local(g.tag) == "Group"]
    for g, group in enumerate(groups, 1):
        heading = inline(group.find("GroupHeading/TitleText")) or inline(group.find("GroupHeading"))
        for prov in group:
            if local(prov.tag) == "Provision":
                sections.append(_provision_section(prov, sched, f"grp-{g}/", heading, doc))
    for prov in elem:
        if local(prov.tag) == "Provision":
            sections.append(_provision_section(prov, sched, "", "", doc))
    return sections


def _provision_section(prov: ET.Element, sched: _Schedule, prefix: str, heading: str, doc: Doc) -> Section:
    label = label_of(prov)
    key = f"{sched.key}/{prefix}{key_label(label)}"
    notes: list[str] = []
    own = inline(prov.find("Text"))
    items = []
    for child in prov:
        if local(child.tag) in NESTED and not is_repealed(child):
            lines = unit_lines(child, doc, key, notes)
            if lines:
                items.append(SubItem(label_of(child), "\n".join(lines)))
        else:
            for line in child_lines(child, doc, key, notes):
                items.append(SubItem("", line))
    locator = f"{sched.name} › {label}" if label else sched.name
    if heading:
        locator += f" — {heading}"
    lead = "\n".join(t for t in (heading, own) if t)
    return Section(key, locator, "section", lead, tuple(items), notes=tuple(notes))


def _table_section(group: ET.Element, sched: _Schedule, tables: list[ET.Element], doc: Doc) -> Section:
    """A schedule table is a form or a scale: one unit per table, one item per row."""
    k = tables.index(group) + 1
    key = sched.key if len(tables) == 1 else f"{sched.key}/table-{k}"
    caption = inline(group.find("Caption"))
    table = group.find("table")
    title = inline(table.find("title")) if table is not None else ""
    numbered = re.match(r"(TABLE|TABLEAU)\b", caption, re.IGNORECASE)
    if caption and not numbered and not title:
        # The RAD schedule prints its title as the caption ("INFORMATION AND ...").
        title = caption
    name = sched.name
    if numbered and len(tables) > 1:
        name += f" › {title_case_label(caption)}"
    heading = title or sched.title
    locator = f"{name} — {heading}" if heading else name
    rows = table_rows(table, doc, key)[1] if table is not None else []
    items = tuple(SubItem(label, text) for label, text in rows)
    lead = "\n".join(t for t in dict.fromkeys((sched.title, title)) if t)
    return Section(key, locator, "section", lead, items)
