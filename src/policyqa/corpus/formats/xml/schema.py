"""What the consolidation schema says before any Section is built: the file parsed and
checked, the document's unit names, and the running text and labels of one element.

Everything here reads a single element (or the root); how units nest into lines is in
`lines`, and how lines become Sections, keys and locators is in `sections`.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

# Dropped with their content; their tail text (what follows them in the sentence) is kept.
_DROPPED = frozenset({"HistoricalNote", "FootnoteRef", "Footnote", "Repealed"})
# Element boundaries that separate words in print even though the XML has no space there.
_SPACED = frozenset({"LineBreak", "Leader", "Provision", "Text", "Item", "entry", "Oath", "List"})
# Units nested inside a subsection or paragraph, rendered as labelled lines in order.
NESTED = frozenset({"Paragraph", "Subparagraph", "Clause", "Subclause", "Subsubclause", "Definition", "Provision", "Item"})


@dataclass
class Doc:
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


# --- parsing and document-level facts ---------------------------------------------------


def parse_root(path: Path) -> ET.Element:
    # The stdlib parser is enough: expat >= 2.4.1 refuses entity-expansion bombs, and the
    # Justice XML declares no DTD, so nothing external is ever fetched.
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as exc:
        line = exc.position[0] if exc.position else "?"
        raise ValueError(f"{path.name}: not well-formed XML at line {line}: {exc}") from None
    tag = local(root.tag)
    if tag not in ("Statute", "Regulation"):
        raise ValueError(f"{path.name}: root element is <{tag}>, not <Statute> or <Regulation>: not a Justice Canada consolidation file")
    return root


def unit_names(root: ET.Element, lang: str) -> tuple[str, str]:
    """What the document calls its numbered units: the IRB Rules cite "rule 3" / "règle 3",
    Acts and ordinary regulations "section 3" / "article 3"."""
    ident = root.find("Identification")
    title = ""
    if ident is not None:
        title = inline(ident.find("ShortTitle")) or inline(ident.find("LongTitle"))
    is_rules = local(root.tag) == "Regulation" and re.search(r"\b(Rules|Règles)\b", title)
    if is_rules:
        return ("rule", "rules") if lang == "en" else ("règle", "règles")
    return ("s.", "ss.") if lang == "en" else ("art.", "art.")


def local(tag: object) -> str:
    # Comments and processing instructions have a function as tag; treat them as unknown.
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


# --- text ---------------------------------------------------------------------------------


def collapse_spaces(text: str) -> str:
    return " ".join(text.split())


def inline(elem: ET.Element | None) -> str:
    """The running text of an element with notes and footnote markers taken out."""
    if elem is None:
        return ""
    parts: list[str] = []
    _collect(elem, parts)
    return collapse_spaces("".join(parts))


def _collect(elem: ET.Element, parts: list[str]) -> None:
    parts.append(elem.text or "")
    for child in elem:
        tag = local(child.tag)
        if tag and tag not in _DROPPED:
            if tag in _SPACED:
                parts.append(" ")
            _collect(child, parts)
            if tag in _SPACED:
                parts.append(" ")
        parts.append(child.tail or "")


def label_of(elem: ET.Element) -> str:
    return inline(elem.find("Label"))


def is_repealed(elem: ET.Element) -> bool:
    """A unit whose text is a "[Repealed, ...]" marker; a repealed definition keeps only its
    term beside the marker, so any marker in the unit's own text counts."""
    text = elem.find("Text")
    return elem.find("Repealed") is not None or (text is not None and text.find("Repealed") is not None)


def title_case_label(label: str) -> str:
    """The document's own word, without the capitals of print: "PART 1" -> "Part 1"."""
    words = label.split()
    if words and words[0].isupper():
        words[0] = words[0].capitalize()
    return " ".join(words)


def key_label(label: str) -> str:
    """A label both languages write alike: "204 and 205" / "204 et 205" -> "204-205"."""
    numbers = re.findall(r"\d+(?:\.\d+)*", label)
    if numbers:
        return "-".join(numbers)
    return re.sub(r"[^0-9A-Za-z]+", "", label) or "x"
