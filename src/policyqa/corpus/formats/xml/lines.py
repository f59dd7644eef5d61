"""A unit's contents as lines of text: nested units (subsections, paragraphs, definitions,
...) as labelled lines in document order, and CALS tables as a title and one line per row.

These lines are what `sections` puts into a Section's lead and SubItems; nothing here
decides keys or locators.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from policyqa.corpus.formats.xml.schema import (
    NESTED,
    Doc,
    collapse_spaces,
    inline,
    is_repealed,
    label_of,
    local,
)

# A column heading like "Column 2" numbers the column; the words under it name it.
_COLUMN_NUMBER = re.compile(r"^(?:Column|Colonne)\s+\S+$", re.IGNORECASE)
_ITEM_NUMBER = re.compile(r"^\d+(?:\.\d+)*$")


# --- nested units (subsections, paragraphs, definitions, ...) ----------------------------


def unit_lines(elem: ET.Element, doc: Doc, where: str, notes: list[str]) -> list[str]:
    """A unit's own text, then each nested unit as a labelled line, in document order.

    The unit's own label is left to the caller: a subsection's label becomes its
    SubItem label, while a paragraph inside it is written "(a) ..." on its own line.
    """
    lines: list[str] = []
    own = inline(elem.find("Text"))
    if own:
        lines.append(own)
    for child in elem:
        lines += child_lines(child, doc, where, notes)
    return lines


def child_lines(child: ET.Element, doc: Doc, where: str, notes: list[str]) -> list[str]:
    tag = local(child.tag)
    # Label, Text and MarginalNote belong to the parent, which places them itself.
    if tag in ("Label", "Text", "MarginalNote", "HistoricalNote", "Repealed", ""):
        return []
    if tag == "Footnote":
        notes.append(_footnote(child))
        return []
    if tag in NESTED:
        return _labelled_lines(child, doc, where, notes)
    if tag.startswith("Continued"):
        # Words that close a list ("... and the Minister may ...") after its last paragraph.
        return _nonempty(inline(child))
    if tag == "TableGroup":
        return _table_lines(child, doc, where)
    if tag in ("List", "Oath"):
        return _block_lines(child, doc, where, notes)
    doc.warn(f"{where}: unhandled element <{tag}>, its text kept as is")
    return _nonempty(inline(child))


def _labelled_lines(elem: ET.Element, doc: Doc, where: str, notes: list[str]) -> list[str]:
    if is_repealed(elem):
        return []
    lines = unit_lines(elem, doc, where, notes)
    if not lines:
        return []  # a bare "(c)" would cite nothing
    label = label_of(elem)
    if label:
        lines = [f"{label} {lines[0]}"] + lines[1:]
    heading = inline(elem.find("MarginalNote"))
    return [heading] + lines if heading and lines else lines


def _block_lines(elem: ET.Element, doc: Doc, where: str, notes: list[str]) -> list[str]:
    """Containers with no text of their own (a list, an oath with paragraphs)."""
    if not any(local(c.tag) in NESTED for c in elem):
        return _nonempty(inline(elem))
    lines: list[str] = []
    for child in elem:
        lines += child_lines(child, doc, where, notes)
    return lines


def _footnote(elem: ET.Element) -> str:
    return collapse_spaces(f"{label_of(elem)} {inline(elem.find('Text'))}")


def _nonempty(text: str) -> list[str]:
    return [text] if text else []


# --- tables (CALS) ---------------------------------------------------------------------------


def _table_lines(group: ET.Element, doc: Doc, where: str) -> list[str]:
    """A table inside a provision: its title, then one line per row."""
    lines: list[str] = []
    for table in group.iter("table"):
        lines += _nonempty(inline(table.find("title")))
        headings, rows = table_rows(table, doc, where)
        if len(headings) == 1:
            # Rows of a one-column table are bare values ("Argentina"): keep what they are.
            lines.append(headings[0])
        lines += [f"{label} {text}".strip() for label, text in rows]
    return lines


def table_rows(table: ET.Element, doc: Doc, where: str) -> tuple[list[str], list[tuple[str, str]]]:
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
        text = inline(entry)
        for i in range(start, min(end, width - 1) + 1) if spread else (start,):
            cells[i] = text
        cursor = max(start, end) + 1
    return cells


def _column_index(name: str | None, names: list[str], default: int) -> int:
    if name and name in names:
        return names.index(name)
    return default
