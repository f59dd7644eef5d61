"""Structure of UN documents: General Assembly resolutions (official PDFs) and the GCM text layer.

A resolution is a title, preambular paragraphs (not numbered), numbered operative
paragraphs with lettered sub-items, and sometimes an annex with its own numbering (the
GCM, the 2025 Political Declaration). Paragraph numbers only ever go up by one within a
part, which is what tells a paragraph "17." from item "17." of a list inside a paragraph.
The French versions have the same structure in other words (formats/un_lang.py) and get the
same section keys, so that each French paragraph pairs with its English one.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from policyqa.corpus import clean, load
from policyqa.corpus.formats.parsed import Parsed
from policyqa.corpus.formats.un_lang import ENGLISH, Wording, opens_enacting, wording
from policyqa.types import Document, Page, Section, SubItem

TITLE = re.compile(r"^\s*\d{2,3}/\d{1,3}\.\s+\S")
PARA = re.compile(r"^(\d{1,3})\.(?:\s+|$)")
HEADING_MAX_WORDS = 12


@dataclass(frozen=True)
class Line:
    text: str
    page: int
    start: int  # offset in the cleaned text of its page
    end: int
    indent: bool  # pypdf keeps the first-line indent of UN paragraphs as a leading space
    after_blank: bool


@dataclass
class CleanedPages:
    texts: dict[int, str]
    lines: list[Line]
    notes: dict[int, str]
    marks: list[tuple[int, int, int]]  # (page, offset, note number)
    title: str = ""
    warnings: list[str] = field(default_factory=list)
    words: Wording = ENGLISH  # the document's language: its enacting formula, item labels, locators


def split_text_layer(text: str, symbol: str) -> list[Page]:
    """Cut a PDF text layer saved as plain text (the GCM file) back into its pages."""
    lines = text.split("\n")
    shapes = Counter(clean._shape(l) for l in lines if l.strip())
    frequent = {s for s, n in shapes.items() if n >= 8}

    def furniture(line: str) -> bool:
        s = line.strip()
        return not s or clean.is_furniture_token(s) or s == symbol or clean._shape(line) in frequent

    starts = [0]
    for i, line in enumerate(lines):
        if clean.PAGE_MARKER.match(line.strip()) and i > starts[-1]:
            j = i
            while j > starts[-1] + 1 and furniture(lines[j - 1]):
                j -= 1
            starts.append(j)
    starts.append(len(lines))
    return [Page(n, "\n".join(lines[a:b])) for n, (a, b) in enumerate(zip(starts, starts[1:]), 1)]


def clean_pages(pages: list[Page], symbol: str, lang: str = "en") -> CleanedPages:
    raw = [[clean.normalise_chars(l) for l in p.text.split("\n")] for p in pages]
    heads = clean.running_heads(raw)
    out = CleanedPages({}, [], {}, [], words=wording(lang))
    for page, lines in zip(pages, raw):
        lines = clean.strip_running_heads(lines, heads, symbol)
        lines, notes = clean.split_footnotes(lines)
        if notes.orphan and out.notes:
            last = max(out.notes)
            out.notes[last] += " " + notes.orphan
        out.notes.update(notes.notes)
        if page.number == 1:
            lines, out.title = _drop_masthead(lines, out.words)
        lines = _drop_closing(lines, out.words)
        text, marks = clean.remove_footnote_marks("\n".join(lines), list(notes.notes))
        missing = set(notes.notes) - {n for _, n in marks}
        if missing:
            out.warnings.append(f"page {page.number}: footnote mark(s) {sorted(missing)} not found in the text")
        out.texts[page.number] = text
        out.marks += [(page.number, off, n) for off, n in marks]
        offset, blank = 0, True
        for line in text.split("\n"):
            stripped = line.strip()
            if stripped:
                start = offset + (len(line) - len(line.lstrip()))
                out.lines.append(Line(" ".join(stripped.split()), page.number, start, start + len(stripped), line[:1].isspace(), blank))
            blank = not stripped
            offset += len(line) + 1
    return out


def _drop_masthead(lines: list[str], words: Wording = ENGLISH) -> tuple[list[str], str]:
    """Page 1 opens with the masthead (symbol, distribution, job number, agenda item, the
    "Resolution adopted by..." line); the body starts after the numbered title."""
    for i, line in enumerate(lines):
        if TITLE.match(line):
            title = [line.strip()]
            j = i + 1
            while j < len(lines) and lines[j].strip() and not opens_enacting(lines[j].strip(), words):
                title.append(lines[j].strip())
                j += 1
            return lines[j:], " ".join(title)
    return lines, ""


def _drop_closing(lines: list[str], words: Wording = ENGLISH) -> list[str]:
    """ "50th plenary meeting / 19 December 2023" closes the resolution's own text."""
    out: list[str] = []
    skip_date = False
    for line in lines:
        s = " ".join(line.split())
        if words.plenary.match(s):
            skip_date = True
            continue
        if skip_date and words.closing_date.match(s):
            skip_date = False
            continue
        skip_date = False
        out.append(line)
    return out


# --- blocks ---------------------------------------------------------------------------


def _blocks(lines: list[Line], indent_signal: bool, words: Wording = ENGLISH) -> list[list[Line]]:
    item_label = words.item
    blocks: list[list[Line]] = []
    last_number = 0
    for i, line in enumerate(lines):
        prev = lines[i - 1] if i else None
        para = PARA.match(line.text)
        numbered = para or item_label.match(line.text)
        prev_closed = prev is None or prev.text.endswith((".", ";", ":", ","))
        same_page = prev is not None and prev.page == line.page
        # A label alone on its line, or the next number of a running list, always opens a block.
        sequence = para is not None and int(para.group(1)) == last_number + 1
        alone = PARA.fullmatch(line.text) or item_label.fullmatch(line.text)
        new = (
            prev is None
            or alone
            or sequence
            or (indent_signal and line.indent)
            or (not indent_signal and line.after_blank and same_page)
            or (numbered and (prev_closed or line.after_blank))
            or _looks_like_heading(line.text, words)
            and prev_closed
            or (
                not indent_signal
                and prev is not None
                and PARA.fullmatch(prev.text.strip()) is None
                and item_label.fullmatch(prev.text.strip()) is None
                and line.after_blank
                and prev_closed
            )
        )
        if para and new:
            last_number = int(para.group(1))
        if new:
            blocks.append([line])
        else:
            blocks[-1].append(line)
    return blocks


def _looks_like_heading(text: str, words: Wording = ENGLISH) -> bool:
    return bool(words.objective.match(text)) or text in {words.annex, words.preamble}


def _is_heading(text: str, words: Wording = ENGLISH) -> bool:
    tokens = text.split()
    return bool(words.objective.match(text)) or (
        0 < len(tokens) <= HEADING_MAX_WORDS
        and text[:1].isupper()
        and not text.endswith((".", ",", ";", ":"))
        and not PARA.match(text)
        and not words.item.match(text)
    )


# --- sections --------------------------------------------------------------------------


@dataclass
class _Open:
    key: str
    locator: str
    kind: str
    lead: list[Line]
    items: list[tuple[str, list[Line]]] = field(default_factory=list)
    heading: str = ""


def _roman(label: str) -> bool:
    return bool(re.fullmatch(r"[ivxl]+", label))


def sections(cp: CleanedPages, vocab: set[str], indent_signal: bool, family: str) -> list[Section]:
    out: list[Section] = []
    part = "res"  # "res" for the resolution, "annex" after the Annex heading
    expected = 1
    preamble_count = 0
    objective: tuple[str, str] | None = None
    current: _Open | None = None
    heading = ""
    words = cp.words

    def close() -> None:
        nonlocal current
        if current is not None:
            out.append(_build(current, cp, vocab))
            current = None

    for block in _blocks(cp.lines, indent_signal, words):
        text = " ".join(l.text for l in block)
        para = PARA.match(text)
        item = words.item.match(text)
        if words.enacting.fullmatch(text):
            continue  # the enacting formula, not a paragraph
        if block[0].text == words.annex:
            close()
            part, expected, preamble_count = "annex", 1, 0
            heading = " ".join(l.text for l in block[1:])
            continue
        objective_match = words.objective.match(clean.join_lines([l.text for l in block], vocab))
        if objective_match:
            close()
            objective = (objective_match.group(1), " ".join(objective_match.group(2).split()))
            heading = words.objective_heading.format(n=objective[0], title=objective[1])
            continue
        in_list = para is not None and current is not None and bool(current.items) and current.items[-1][0] == f"{int(para.group(1)) - 1}."
        if para and int(para.group(1)) == expected and not in_list:
            close()
            n = expected
            expected += 1
            if part == "annex" and family == "gcm":
                loc = words.gcm_objective_para.format(o=objective[0], n=n) if objective else words.gcm_para.format(n=n)
                key = f"para-{n}"
            elif part == "annex":
                loc, key = words.annex_para.format(n=n), f"annex/para-{n}"
            else:
                loc, key = words.op.format(n=n), f"op-{n}"
                if family == "gcm":
                    loc, key = words.gcm_op.format(n=n), f"res/op-{n}"
            current = _Open(key, loc, "paragraph", _strip_label(block, para), heading=heading)
            continue
        if current is not None and (item or (para and current.kind == "paragraph")):
            label = item.group(0).strip() if item else para.group(0).strip()
            sub = _strip_label(block, item or para)
            name = item.group(1) if item else ""
            if item and current.items and _roman(name) and not _next_letter(current.items[-1][0], name):
                current.items[-1][1].extend(sub)  # a roman sub-item stays inside its lettered item
            else:
                current.items.append((label, sub))
            continue
        if _is_heading(text, words) and not (current and current.kind == "preamble" and text[:1].islower()):
            # Headings name a part of the text; a list under a heading stays with its paragraph.
            heading = text
            objective = None
            if current is not None and current.kind == "preamble":
                close()
            continue
        if current is not None and current.kind == "paragraph":
            if current.items:
                current.items[-1][1].extend(block)
            else:
                current.lead.extend(block)
            continue
        # An unnumbered paragraph before the numbered ones: a preambular paragraph.
        close()
        preamble_count += 1
        prefix = "annex/" if part == "annex" else ("res/" if family == "gcm" else "")
        loc = (words.annex_pp if part == "annex" else words.pp).format(n=preamble_count)
        if family == "gcm" and part == "res":
            loc = words.gcm_pp.format(n=preamble_count)
        current = _Open(f"{prefix}pp-{preamble_count}", loc, "preamble", list(block), heading=heading)
    close()
    return out


def _next_letter(previous: str, label: str) -> bool:
    prev = previous.strip("()")
    return len(prev) == 1 and len(label) == 1 and ord(label) == ord(prev) + 1


def _strip_label(block: list[Line], match: re.Match) -> list[Line]:
    first = block[0]
    cut = match.end()
    rest = first.text[cut:]
    lines = list(block[1:])
    if rest.strip():
        lines.insert(0, Line(rest.strip(), first.page, first.end - len(rest.strip()), first.end, False, False))
    return lines or [Line("", first.page, first.start, first.end, False, False)]


def _span(lines: list[Line]) -> tuple[int, int, int, int]:
    real = [l for l in lines if l.text] or lines
    return real[0].page, real[-1].page, real[0].start, real[-1].end


def _build(open_: _Open, cp: CleanedPages, vocab: set[str]) -> Section:
    all_lines = list(open_.lead) + [l for _, ls in open_.items for l in ls]
    p0, p1, c0, c1 = _span(all_lines)
    items = []
    for label, lines in open_.items:
        q0, q1, d0, d1 = _span(lines)
        items.append(SubItem(label, clean.join_lines([l.text for l in lines], vocab), q0, q1, d0, d1))
    notes = tuple(f"{n} {cp.notes[n]}" for page, off, n in cp.marks if n in cp.notes and (p0, c0) <= (page, off) <= (p1, c1))
    return Section(
        key=open_.key,
        locator=open_.locator,
        kind=open_.kind,
        lead=clean.join_lines([l.text for l in open_.lead], vocab),
        items=tuple(items),
        page_start=p0,
        page_end=p1,
        char_start=c0,
        char_end=c1,
        notes=notes,
        context=open_.heading,
    )


FAMILIES = ("gcm", "unga-resolution")


def accepts(doc: Document) -> bool:
    return doc.family in FAMILIES


def parse(doc: Document, path: Path) -> Parsed:
    """The official PDF (indentation tells paragraphs apart), or a text layer with page marks."""
    if doc.format == "pdf":
        pages = list(load.read_pdf(path).pages)
        indent = True
    else:
        pages = split_text_layer(load.read_text(path), doc.symbol)
        indent = False
    cleaned = clean_pages(pages, doc.symbol, doc.lang)
    vocab = clean.vocabulary("\n".join(cleaned.texts.values()))
    return Parsed(sections(cleaned, vocab, indent, doc.family), len(pages), cleaned.warnings)
