"""Read Justice Canada consolidation XML (the `Statute` / `Regulation` schema) into Sections.

The XML already carries the legal structure, so this loader skips the page/line stage that
PDF and text files go through and produces `Section` objects directly:

* one Section per body `Section` element: the citable unit of a Canadian Act or regulation;
* for schedules, one Section per labelled provision where the schedule has them (the IRPA
  schedule reproducing Refugee Convention art. 1 E/F), one per table (the IRB Rules forms,
  IRPR Schedule 2) and otherwise one per schedule (a list of countries, the oath).

Keys are built only from numbers and labels the two language versions share ("s-24.1",
"sch-2/table-3", "sch-1/grp-1/F"), so the English and French files of one law pair up.

Left out on purpose, because none of it is law a reader can rely on:
* repealed provisions and the "[Amendments]" placeholders of spent consequential amendments;
* historical notes, footnote references and `lims:` metadata (footnote text goes to `notes`);
* the "Related Provisions" and "Amendments Not in Force" schedules (`id="RelatedProvs"` /
  `"NifProvs"`): they hold sections of *amending* instruments whose numbers collide with
  the law's own and, for the latter, are not yet in force.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field, replace
from pathlib import Path

from policyqa.types import Section, SubItem

__all__ = ["read_law_xml"]

_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

# Dropped with their content; their tail text (what follows them in the sentence) is kept.
_DROPPED = frozenset({"HistoricalNote", "FootnoteRef", "Footnote", "Repealed"})
# Element boundaries that separate words in print even though the XML has no space there.
_SPACED = frozenset({"LineBreak", "Leader", "Provision", "Text", "Item", "entry", "Oath", "List"})
# Units nested inside a subsection or paragraph, rendered as labelled lines in order.
_NESTED = frozenset(
    {"Paragraph", "Subparagraph", "Clause", "Subclause", "Subsubclause", "Definition", "Provision", "Item"}
)
# Metadata and apparatus around the body and schedules, never part of a passage.
_FRONT_MATTER = frozenset({"Identification", "Introduction", "Order", "RecentAmendments", "Preamble"})
_AMENDING_SCHEDULES = frozenset({"RelatedProvs", "NifProvs"})
# A column heading like "Column 2" numbers the column; the words under it name it.
_COLUMN_NUMBER = re.compile(r"^(?:Column|Colonne)\s+\S+$", re.IGNORECASE)
_ITEM_NUMBER = re.compile(r"^\d+(?:\.\d+)*$")
# "[Amendments]" / "[Modifications]" stand in for consequential amendments already spent.
_PLACEHOLDER = re.compile(r"^\[[^\]]*\]$")


@dataclass
class _Doc:
    """What every builder needs to know about the file being read."""

    name: str
    lang: str
    unit: str  # "s." | "art." | "rule" | "règle"
    units: str  # the plural, for labels like "204 and 205"
    warnings: list[str] = field(default_factory=list)

    def warn(self, message: str) -> None:
        # One element type missing from the handlers shows up many times; say it once.
        text = f"{self.name}: {message}"
        if text not in self.warnings:
            self.warnings.append(text)


# --- public API --------------------------------------------------------------------------


def read_law_xml(path: Path, lang: str) -> tuple[list[Section], list[str]]:
    """Sections of one Justice Canada consolidation file, in document order, plus warnings.

    `lang` ("en" or "fr") decides the wording of locators ("s. 3" / "art. 3"). Raises
    ValueError for a file that is not well-formed XML or not a Statute/Regulation.
    """
    path = Path(path)
    if lang not in ("en", "fr"):
        raise ValueError(f"{path.name}: language must be 'en' or 'fr', not {lang!r}")
    root = _parse(path)
    doc = _Doc(path.name, lang, *_unit_names(root, lang))
    declared = root.get(_XML_LANG)
    if declared and declared != lang:
        doc.warn(f"read as {lang!r} but the file declares xml:lang={declared!r}")

    sections: list[Section] = []
    schedule_count = 0
    for child in root:
        tag = _local(child.tag)
        if tag == "Body":
            sections += _body_sections(child, doc)
        elif tag == "Schedule":
            schedule_count += 1
            sections += _schedule_sections(child, schedule_count, doc)
        elif tag not in _FRONT_MATTER:
            doc.warn(f"unexpected top-level element <{tag}> skipped")
    if root.find("Body") is None:
        doc.warn("no <Body> element: only schedules were read")
    return _unique_keys(sections, doc), doc.warnings


# --- parsing and document-level facts ---------------------------------------------------


def _parse(path: Path) -> ET.Element:
    # The stdlib parser is enough: expat >= 2.4.1 refuses entity-expansion bombs, and the
    # Justice XML declares no DTD, so nothing external is ever fetched.
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as exc:
        line = exc.position[0] if exc.position else "?"
        raise ValueError(f"{path.name}: not well-formed XML at line {line}: {exc}") from None
    tag = _local(root.tag)
    if tag not in ("Statute", "Regulation"):
        raise ValueError(
            f"{path.name}: root element is <{tag}>, not <Statute> or <Regulation>: "
            "not a Justice Canada consolidation file"
        )
    return root


def _unit_names(root: ET.Element, lang: str) -> tuple[str, str]:
    """What the document calls its numbered units: the IRB Rules cite "rule 3" / "règle 3",
    Acts and ordinary regulations "section 3" / "article 3"."""
    ident = root.find("Identification")
    title = ""
    if ident is not None:
        title = _inline(ident.find("ShortTitle")) or _inline(ident.find("LongTitle"))
    is_rules = _local(root.tag) == "Regulation" and re.search(r"\b(Rules|Règles)\b", title)
    if is_rules:
        return ("rule", "rules") if lang == "en" else ("règle", "règles")
    return ("s.", "ss.") if lang == "en" else ("art.", "art.")


def _local(tag: object) -> str:
    # Comments and processing instructions have a function as tag; treat them as unknown.
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


# --- text ---------------------------------------------------------------------------------


def _clean(text: str) -> str:
    return " ".join(text.split())


def _inline(elem: ET.Element | None) -> str:
    """The running text of an element with notes and footnote markers taken out."""
    if elem is None:
        return ""
    parts: list[str] = []
    _collect(elem, parts)
    return _clean("".join(parts))


def _collect(elem: ET.Element, parts: list[str]) -> None:
    parts.append(elem.text or "")
    for child in elem:
        tag = _local(child.tag)
        if tag and tag not in _DROPPED:
            if tag in _SPACED:
                parts.append(" ")
            _collect(child, parts)
            if tag in _SPACED:
                parts.append(" ")
        parts.append(child.tail or "")


def _label(elem: ET.Element) -> str:
    return _inline(elem.find("Label"))


def _is_repealed(elem: ET.Element) -> bool:
    """A unit whose text is a "[Repealed, ...]" marker; a repealed definition keeps only its
    term beside the marker, so any marker in the unit's own text counts."""
    text = elem.find("Text")
    return elem.find("Repealed") is not None or (text is not None and text.find("Repealed") is not None)


def _title_case_label(label: str) -> str:
    """The document's own word, without the capitals of print: "PART 1" -> "Part 1"."""
    words = label.split()
    if words and words[0].isupper():
        words[0] = words[0].capitalize()
    return " ".join(words)


def _key_label(label: str) -> str:
    """A label both languages write alike: "204 and 205" / "204 et 205" -> "204-205"."""
    numbers = re.findall(r"\d+(?:\.\d+)*", label)
    if numbers:
        return "-".join(numbers)
    return re.sub(r"[^0-9A-Za-z]+", "", label) or "x"


# --- nested units (subsections, paragraphs, definitions, ...) ----------------------------


def _unit_lines(elem: ET.Element, doc: _Doc, where: str, notes: list[str]) -> list[str]:
    """A unit's own text, then each nested unit as a labelled line, in document order.

    The unit's own label is left to the caller: a subsection's label becomes its
    SubItem label, while a paragraph inside it is written "(a) ..." on its own line.
    """
    lines: list[str] = []
    own = _inline(elem.find("Text"))
    if own:
        lines.append(own)
    for child in elem:
        lines += _child_lines(child, doc, where, notes)
    return lines


def _child_lines(child: ET.Element, doc: _Doc, where: str, notes: list[str]) -> list[str]:
    tag = _local(child.tag)
    # Label, Text and MarginalNote belong to the parent, which places them itself.
    if tag in ("Label", "Text", "MarginalNote", "HistoricalNote", "Repealed", ""):
        return []
    if tag == "Footnote":
        notes.append(_footnote(child))
        return []
    if tag in _NESTED:
        return _labelled_lines(child, doc, where, notes)
    if tag.startswith("Continued"):
        # Words that close a list ("... and the Minister may ...") after its last paragraph.
        return _nonempty(_inline(child))
    if tag == "TableGroup":
        return _table_lines(child, doc, where)
    if tag in ("List", "Oath"):
        return _block_lines(child, doc, where, notes)
    doc.warn(f"{where}: unhandled element <{tag}>, its text kept as is")
    return _nonempty(_inline(child))


def _labelled_lines(elem: ET.Element, doc: _Doc, where: str, notes: list[str]) -> list[str]:
    if _is_repealed(elem):
        return []
    lines = _unit_lines(elem, doc, where, notes)
    if not lines:
        return []  # a bare "(c)" would cite nothing
    label = _label(elem)
    if label:
        lines = [f"{label} {lines[0]}"] + lines[1:]
    heading = _inline(elem.find("MarginalNote"))
    return [heading] + lines if heading and lines else lines


def _block_lines(elem: ET.Element, doc: _Doc, where: str, notes: list[str]) -> list[str]:
    """Containers with no text of their own (a list, an oath with paragraphs)."""
    if not any(_local(c.tag) in _NESTED for c in elem):
        return _nonempty(_inline(elem))
    lines: list[str] = []
    for child in elem:
        lines += _child_lines(child, doc, where, notes)
    return lines


def _footnote(elem: ET.Element) -> str:
    return _clean(f"{_label(elem)} {_inline(elem.find('Text'))}")


def _nonempty(text: str) -> list[str]:
    return [text] if text else []


# --- tables (CALS) ---------------------------------------------------------------------------


def _table_lines(group: ET.Element, doc: _Doc, where: str) -> list[str]:
    """A table inside a provision: its title, then one line per row."""
    lines: list[str] = []
    for table in group.iter("table"):
        lines += _nonempty(_inline(table.find("title")))
        headings, rows = _table_rows(table, doc, where)
        if len(headings) == 1:
            # Rows of a one-column table are bare values ("Argentina"): keep what they are.
            lines.append(headings[0])
        lines += [f"{label} {text}".strip() for label, text in rows]
    return lines


def _table_rows(table: ET.Element, doc: _Doc, where: str) -> tuple[list[str], list[tuple[str, str]]]:
    """The value columns' headings, and (item number, text) per body row; with several
    columns each value is named by its column heading, since "500" alone says nothing."""
    tgroup = table.find("tgroup")
    if tgroup is None:
        doc.warn(f"{where}: table without <tgroup> skipped")
        return [], []
    names = [c.get("colname", "") for c in tgroup.findall("colspec")]
    width = max(len(names), int(tgroup.get("cols", "0") or 0))
    headers = _column_headers(tgroup.findall("thead/row"), names, width)
    body = [_place_cells(row, names, width) for row in tgroup.findall("tbody/row")]
    numbered = bool(body) and all(_ITEM_NUMBER.match(cells[0]) for cells in body if any(cells)) and width > 1
    heads = headers[1:] if numbered else headers
    rows = []
    for cells in body:
        if any(cells):
            label, values = (cells[0], cells[1:]) if numbered else ("", cells)
            rows.append((label, _row_text(values, heads)))
    return [h for h in heads if h], rows


def _row_text(values: list[str], heads: list[str]) -> str:
    filled = [(h, v) for h, v in zip(heads, values) if v]
    if len(filled) == 1 or len([h for h in heads if h]) <= 1:
        return " | ".join(v for _, v in filled)
    return " | ".join(f"{h}: {v}" if h else v for h, v in filled)


def _column_headers(rows: list[ET.Element], names: list[str], width: int) -> list[str]:
    """One heading per column, joining stacked header rows ("Type A Violation — Large
    Business ($)") and dropping the bare "Column 2" numbering rows."""
    stacked: list[list[str]] = [[] for _ in range(width)]
    for row in rows:
        for i, text in enumerate(_place_cells(row, names, width, spread=True)):
            if text and not _COLUMN_NUMBER.match(text) and text not in stacked[i]:
                stacked[i].append(text)
    return [" — ".join(parts) for parts in stacked]


def _place_cells(row: ET.Element, names: list[str], width: int, spread: bool = False) -> list[str]:
    """Cell texts by column position, honouring colname / namest..nameend spans.

    `spread` copies a spanning heading into every column it covers, so that each column
    below it inherits the group name.
    """
    cells = [""] * width
    cursor = 0
    for entry in row.findall("entry"):
        start = _column_index(entry.get("namest") or entry.get("colname"), names, cursor)
        end = _column_index(entry.get("nameend"), names, start)
        if start >= width:
            break
        text = _inline(entry)
        for i in (range(start, min(end, width - 1) + 1) if spread else (start,)):
            cells[i] = text
        cursor = max(start, end) + 1
    return cells


def _column_index(name: str | None, names: list[str], default: int) -> int:
    if name and name in names:
        return names.index(name)
    return default


# --- body sections ------------------------------------------------------------------------


def _body_sections(body: ET.Element, doc: _Doc) -> list[Section]:
    sections: list[Section] = []
    part = ""
    for child in body:
        tag = _local(child.tag)
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
    label = _label(heading)
    return _title_case_label(label) if label else ""


def _body_section(elem: ET.Element, doc: _Doc, part: str) -> Section | None:
    label = _label(elem)
    if _is_repealed(elem):
        return None
    if not label:
        doc.warn("a <Section> without a <Label> was skipped")
        return None
    key = f"s-{_key_label(label)}"
    notes: list[str] = []
    heading = _inline(elem.find("MarginalNote"))
    own = _inline(elem.find("Text"))
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


def _section_items(elem: ET.Element, doc: _Doc, key: str, notes: list[str]) -> list[SubItem]:
    """Subsections become items; in a section without subsections its paragraphs or
    definitions do. A subsection's marginal note opens its text, as it does in print."""
    items: list[SubItem] = []
    for child in elem:
        tag = _local(child.tag)
        if tag in ("Subsection", "Paragraph", "Definition"):
            if _is_repealed(child):
                continue
            lines = _unit_lines(child, doc, key, notes)
            heading = _inline(child.find("MarginalNote"))
            if lines:
                text = "\n".join([heading] + lines if heading else lines)
                items.append(SubItem(_label(child), text))
        else:
            lines = _child_lines(child, doc, key, notes)
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


def _schedule_sections(sch: ET.Element, ordinal: int, doc: _Doc) -> list[Section]:
    form = sch.find("ScheduleFormHeading")
    if sch.get("id") in _AMENDING_SCHEDULES or (form is not None and form.get("type") == "amending"):
        return []
    if sch.find("Repealed") is not None:
        return []
    label = _label(form) if form is not None else ""
    title = _inline(form.find("TitleText")) if form is not None else ""
    number = re.search(r"\d+(?:\.\d+)*", label)
    sched = _Schedule(
        key=f"sch-{number.group() if number else ordinal}",
        name=_title_case_label(label) or ("Schedule" if doc.lang == "en" else "Annexe"),
        title=title,
    )
    sections: list[Section] = []
    loose = _Loose()
    tables = [c for c in sch if _local(c.tag) == "TableGroup"]
    for child in sch:
        tag = _local(child.tag)
        if tag in ("ScheduleFormHeading", "HistoricalNote", ""):
            continue
        if tag == "DocumentInternal":
            sections += _document_internal(child, sched, doc)
        elif tag == "TableGroup":
            sections.append(_table_section(child, sched, tables, doc))
        elif tag == "Provision" and _label(child):
            sections.append(_provision_section(child, sched, "", "", doc))
        elif tag == "List":
            # Entries of a list (countries) are items; prose around them stays in the lead.
            loose.items += _list_items(child, doc, sched.key, loose.notes)
        else:
            loose.lines += _child_lines(child, doc, sched.key, loose.notes)
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


def _list_items(elem: ET.Element, doc: _Doc, where: str, notes: list[str]) -> list[SubItem]:
    items = []
    for entry in elem:
        if _local(entry.tag) == "Item" and not _is_repealed(entry):
            lines = _unit_lines(entry, doc, where, notes)
            if lines:
                items.append(SubItem(_label(entry), "\n".join(lines)))
    return items


def _document_internal(elem: ET.Element, sched: _Schedule, doc: _Doc) -> list[Section]:
    """A document reproduced in a schedule: groups (one per treaty article) of provisions."""
    sections: list[Section] = []
    groups = [g for g in elem if _local(g.tag) == "Group"]
    for g, group in enumerate(groups, 1):
        heading = _inline(group.find("GroupHeading/TitleText")) or _inline(group.find("GroupHeading"))
        for prov in group:
            if _local(prov.tag) == "Provision":
                sections.append(_provision_section(prov, sched, f"grp-{g}/", heading, doc))
    for prov in elem:
        if _local(prov.tag) == "Provision":
            sections.append(_provision_section(prov, sched, "", "", doc))
    return sections


def _provision_section(prov: ET.Element, sched: _Schedule, prefix: str, heading: str, doc: _Doc) -> Section:
    label = _label(prov)
    key = f"{sched.key}/{prefix}{_key_label(label)}"
    notes: list[str] = []
    own = _inline(prov.find("Text"))
    items = []
    for child in prov:
        if _local(child.tag) in _NESTED and not _is_repealed(child):
            lines = _unit_lines(child, doc, key, notes)
            if lines:
                items.append(SubItem(_label(child), "\n".join(lines)))
        else:
            for line in _child_lines(child, doc, key, notes):
                items.append(SubItem("", line))
    locator = f"{sched.name} › {label}" if label else sched.name
    if heading:
        locator += f" — {heading}"
    lead = "\n".join(t for t in (heading, own) if t)
    return Section(key, locator, "section", lead, tuple(items), notes=tuple(notes))


def _table_section(group: ET.Element, sched: _Schedule, tables: list[ET.Element], doc: _Doc) -> Section:
    """A schedule table is a form or a scale: one unit per table, one item per row."""
    k = tables.index(group) + 1
    key = sched.key if len(tables) == 1 else f"{sched.key}/table-{k}"
    caption = _inline(group.find("Caption"))
    table = group.find("table")
    title = _inline(table.find("title")) if table is not None else ""
    numbered = re.match(r"(TABLE|TABLEAU)\b", caption, re.IGNORECASE)
    if caption and not numbered and not title:
        # The RAD schedule prints its title as the caption ("INFORMATION AND ...").
        title = caption
    name = sched.name
    if numbered and len(tables) > 1:
        name += f" › {_title_case_label(caption)}"
    heading = title or sched.title
    locator = f"{name} — {heading}" if heading else name
    rows = _table_rows(table, doc, key)[1] if table is not None else []
    items = tuple(SubItem(label, text) for label, text in rows)
    lead = "\n".join(t for t in dict.fromkeys((sched.title, title)) if t)
    return Section(key, locator, "section", lead, items)


# --- keys ----------------------------------------------------------------------------------


def _unique_keys(sections: list[Section], doc: _Doc) -> list[Section]:
    """Keys must be unique within a document for pairing; a clash is reported, then
    disambiguated by order so that nothing is lost."""
    seen: dict[str, int] = {}
    out = []
    for section in sections:
        n = seen.get(section.key, 0) + 1
        seen[section.key] = n
        if n > 1:
            doc.warn(f"duplicate key {section.key!r}; the copy number {n} is keyed {section.key}~{n}")
            section = replace(section, key=f"{section.key}~{n}")
        out.append(section)
    return out
