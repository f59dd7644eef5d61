"""Lines of a cleaned text with their offsets, shared by the structure parsers."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from policyqa.corpus import clean


@dataclass(frozen=True)
class TextLine:
    text: str  # whitespace-collapsed
    start: int  # offset in the cleaned text
    end: int
    after_blank: bool


def split_lines(text: str) -> list[TextLine]:
    out: list[TextLine] = []
    offset, blank = 0, True
    for raw in text.split("\n"):
        stripped = raw.strip()
        if stripped:
            start = offset + len(raw) - len(raw.lstrip())
            out.append(TextLine(" ".join(stripped.split()), start, start + len(stripped), blank))
        blank = not stripped
        offset += len(raw) + 1
    return out


def paragraphs(lines: list[TextLine], one_per_line: bool = False) -> list[list[TextLine]]:
    """Blank-line separated paragraphs (or one paragraph per line for unwrapped text)."""
    groups: list[list[TextLine]] = []
    for line in lines:
        if one_per_line or line.after_blank or not groups:
            groups.append([line])
        else:
            groups[-1].append(line)
    return groups


def split_where(groups: list[list[TextLine]], opens: Callable[[str], bool]) -> list[list[TextLine]]:
    """Lines for which `opens` holds start a group of their own, blank line or not
    (list items and headings written without a blank line before them)."""
    out: list[list[TextLine]] = []
    for group in groups:
        out.append([group[0]])
        for line in group[1:]:
            if opens(line.text):
                out.append([line])
            else:
                out[-1].append(line)
    return out


def joined(group: list[TextLine], vocab: set[str]) -> str:
    return clean.join_lines([l.text for l in group], vocab)


def span(group: list[TextLine]) -> tuple[int, int]:
    return group[0].start, group[-1].end


_MD_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")


def strip_markdown(text: str) -> str:
    """Inline Markdown a reader should not see: emphasis, links, escapes, <sup>."""
    if re.fullmatch(r"\s*(?:<!--.*?-->|[-—_*=]{3,})\s*", text):
        return ""  # HTML comments and horizontal rules left by the page scraper
    text = _MD_LINK.sub(r"\1", text)
    text = re.sub(r"</?sup>", "", text)
    text = re.sub(r"\\([#*_\[\]()-])", r"\1", text)
    return re.sub(r"(\*{1,3}|_{2,3})(?=\S)(.+?)(?<=\S)\1", r"\2", text).replace("**", "")
