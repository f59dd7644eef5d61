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

The reading goes in three steps, one module each, each using only the ones before it:
`schema` (the file parsed, one element's text and label), `lines` (nested units and tables
as lines of text) and `sections` (Sections, keys and locators for the body and schedules).
This module walks the top level and keeps keys unique.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from policyqa.corpus import load
from policyqa.corpus.formats.parsed import Parsed
from policyqa.corpus.formats.xml.schema import Doc, local, parse_root, unit_names
from policyqa.corpus.formats.xml.sections import body_sections, schedule_sections
from policyqa.types import Document, Section

__all__ = ["accepts", "parse", "read_law_xml"]

_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
# Metadata and apparatus around the body and schedules, never part of a passage.
_FRONT_MATTER = frozenset({"Identification", "Introduction", "Order", "RecentAmendments", "Preamble"})


def read_law_xml(path: Path, lang: str) -> tuple[list[Section], list[str]]:
    """Sections of one Justice Canada consolidation file, in document order, plus warnings.

    `lang` ("en" or "fr") decides the wording of locators ("s. 3" / "art. 3"). Raises
    ValueError for a file that is not well-formed XML or not a Statute/Regulation.
    """
    path = Path(path)
    if lang not in ("en", "fr"):
        raise ValueError(f"{path.name}: language must be 'en' or 'fr', not {lang!r}")
    root = parse_root(path)
    doc = Doc(path.name, lang, *unit_names(root, lang))
    declared = root.get(_XML_LANG)
    if declared and declared != lang:
        doc.warn(f"read as {lang!r} but the file declares xml:lang={declared!r}")

    sections: list[Section] = []
    schedule_count = 0
    for child in root:
        tag = local(child.tag)
        if tag == "Body":
            sections += body_sections(child, doc)
        elif tag == "Schedule":
            schedule_count += 1
            sections += schedule_sections(child, schedule_count, doc)
        elif tag not in _FRONT_MATTER:
            doc.warn(f"unexpected top-level element <{tag}> skipped")
    if root.find("Body") is None:
        doc.warn("no <Body> element: only schedules were read")
    return _unique_keys(sections, doc), doc.warnings


def _unique_keys(sections: list[Section], doc: Doc) -> list[Section]:
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


def accepts(doc: Document) -> bool:
    return doc.format == "xml"


def parse(doc: Document, path: Path) -> Parsed:
    try:
        found, warnings = read_law_xml(path, doc.lang)
    except ValueError as exc:
        raise load.LoadError(str(exc)) from None
    return Parsed(found, 0, warnings)
