"""Where a quote lies on the pages of the original PDF, as rectangles a viewer can draw.

The quotes policyqa shows come from pypdf's text layer, cleaned; the rectangles come from
PDFium's own characters and their boxes. pypdf's text visitor only gives the position of
each text run, not of each character, so it cannot say where a quote starts inside a line;
PDFium gives one box per character, one to one with its text. The two texts are matched on
their letters and digits only, so that spacing, line ends, hyphens and quote marks, which
the two extractors write differently, do not matter.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections import OrderedDict
from dataclasses import dataclass, replace
from pathlib import Path

import pypdfium2 as pdfium

# Letters the matcher may step over within a page: a footnote number the cleaned text left
# out. Anything longer means the rest of the quote is not here.
MAX_GAP = 120
# Across a page break, the rest of the page (its footnotes, however long) and then this many
# letters of the next page: its running head, which can be long ("A/RES/80/9 2025 Political
# Declaration on the Implementation of the United Nations Global Plan of Action to Combat
# Trafficking in Persons 4/8 25-19346").
HEAD_GAP = 240
# The matcher takes the longest piece of the quote found at each step; a piece shorter than
# this is too common to place on its own ("the", "and"), unless it is all the quote has left.
MIN_PIECE = 12


@dataclass(frozen=True)
class Rect:
    """One highlighted run of a line, in PDF points with the origin at the page's bottom left."""

    page: int  # 1-based
    x0: float
    y0: float
    x1: float
    y1: float


@dataclass(frozen=True)
class PageSize:
    page: int
    width: float
    height: float


@dataclass(frozen=True)
class Highlight:
    """The rectangles over a quote; `exact` when every letter of the quote was placed in order
    with no gap but footnote numbers and the running head and foot between pages."""

    found: bool
    exact: bool
    rects: tuple[Rect, ...] = ()
    pages: tuple[PageSize, ...] = ()
    text: str = ""  # what the rectangles cover, read back from the page


@dataclass(frozen=True)
class _Char:
    page: int
    index: int  # PDFium's character index on that page


@dataclass(frozen=True)
class _Stream:
    """The letters and digits of some pages, folded, each tied to the character it came from."""

    folded: str
    chars: tuple[_Char, ...]


def fold(text: str) -> str:
    """Letters and digits only, compatibility-decomposed (a ligature becomes its letters, an
    accent its own mark, then dropped) and case-folded. Decomposing makes a string fold the
    same whole or character by character, as the page's text is folded: a PDF may store "é"
    as "e" and a combining accent."""
    return "".join(c for c in unicodedata.normalize("NFKD", text).casefold() if c.isalnum())


# PDFium is not thread-safe, not even across different documents, and the service answers
# highlight requests on several threads: every call into it, opening and closing included,
# holds this one lock. A quote is placed in milliseconds, so requests barely wait.
_PDFIUM = threading.RLock()


class _Pages:
    """PDFium's text of each page of one file, read once: a viewer asks for the same pages often."""

    def __init__(self, path: Path) -> None:
        self.pdf = pdfium.PdfDocument(str(path))
        self._text: dict[int, tuple[str, object, object]] = {}

    def count(self) -> int:
        return len(self.pdf)

    def size(self, page: int) -> PageSize:
        width, height = self.pdf.get_page_size(page - 1)
        return PageSize(page, round(width, 2), round(height, 2))

    def text(self, page: int):
        if page not in self._text:
            handle = self.pdf[page - 1]
            textpage = handle.get_textpage()
            self._text[page] = (textpage.get_text_range(0, textpage.count_chars()), textpage, handle)
        return self._text[page][:2]

    def close(self) -> None:
        # Explicitly and in order (text pages, pages, document), under the lock: left to the
        # garbage collector, they would be closed on whatever thread runs next.
        for _, textpage, handle in self._text.values():
            textpage.close()
            handle.close()
        self._text.clear()
        self.pdf.close()


# Keyed by the file's identity, not only its path: `policyqa corpus fetch` replaces a file in
# place, and its highlights must come from the new one.
_OPEN: OrderedDict[tuple[Path, int, int], _Pages] = OrderedDict()
_KEEP_OPEN = 16


def _pages(path: Path) -> _Pages:
    """The open file at `path`; the caller holds _PDFIUM."""
    path = path.resolve()
    stat = path.stat()
    key = (path, stat.st_mtime_ns, stat.st_size)
    if key in _OPEN:
        _OPEN.move_to_end(key)
        return _OPEN[key]
    for stale in [k for k in _OPEN if k[0] == path]:
        _OPEN.pop(stale).close()
    pages = _Pages(path)
    _OPEN[key] = pages
    while len(_OPEN) > _KEEP_OPEN:
        _OPEN.popitem(last=False)[1].close()
    return pages


class HighlightError(RuntimeError):
    """PDFium cannot read the file (pypdf, more lenient, may have ingested it)."""


def _stream(pages: _Pages, numbers: range) -> _Stream:
    folded: list[str] = []
    chars: list[_Char] = []
    for number in numbers:
        text, _ = pages.text(number)
        for index, c in enumerate(text):
            for f in fold(c):
                folded.append(f)
                chars.append(_Char(number, index))
    return _Stream("".join(folded), tuple(chars))


def _gap_ok(stream: _Stream, position: int, at: int) -> bool:
    """A step over at most MAX_GAP letters; or, across a page break, over the rest of the page
    (its footnotes can be long) and at most HEAD_GAP letters of the next (its running head)."""
    if at - position <= MAX_GAP:
        return True
    page = stream.chars[at].page
    if page == stream.chars[position].page:
        return False
    first = next(i for i in range(position, at + 1) if stream.chars[i].page == page)
    return at - first <= HEAD_GAP and page == stream.chars[position].page + 1


def _place(quote: str, stream: _Stream) -> tuple[list[tuple[int, int]], int]:
    """Spans of the stream that hold the quote's letters in order, and how many letters were
    left unplaced. Each step takes the longest prefix of what is left that occurs within an
    allowed gap (_gap_ok) of the previous span, or anywhere for the first."""
    spans: list[tuple[int, int]] = []
    rest = quote
    position = 0
    while rest and position < len(stream.folded):
        found, length = -1, 0
        low, high = MIN_PIECE if len(rest) >= MIN_PIECE else len(rest), len(rest)
        # Binary search on the prefix length: a longer prefix found implies every shorter one is.
        while low <= high:
            mid = (low + high) // 2
            at = stream.folded.find(rest[:mid], position)
            if at >= 0 and (not spans or _gap_ok(stream, position, at)):
                found, length = at, mid
                low = mid + 1
            else:
                high = mid - 1
        if found < 0:
            break
        spans.append((found, found + length))
        position = found + length
        rest = rest[length:]
    return spans, len(rest)


def _rects(pages: _Pages, first: _Char, last: _Char) -> list[Rect]:
    """Boxes of every character from first to last (spaces and punctuation between included),
    merged into one rectangle per line."""
    rects: list[Rect] = []
    for number in range(first.page, last.page + 1):
        text, textpage = pages.text(number)
        start = first.index if number == first.page else 0
        end = last.index if number == last.page else len(text) - 1
        line: list[float] | None = None
        for i in range(start, end + 1):
            if text[i] in "\r\n":
                continue
            x0, y0, x1, y1 = textpage.get_charbox(i)
            if x1 - x0 <= 0 or y1 - y0 <= 0:
                continue  # a space PDFium generated: it has no box of its own
            # Italic letters overlap their neighbours by a point or more: a step back that small is
            # kerning, a larger one is the next line.
            same_line = line is not None and x0 >= line[2] - 4.0 and y0 < line[3] and y1 > line[1]
            if same_line:
                line = [line[0], min(line[1], y0), max(line[2], x1), max(line[3], y1)]
            else:
                if line is not None:
                    rects.append(Rect(number, *[round(v, 2) for v in line]))
                line = [x0, y0, x1, y1]
        if line is not None:
            rects.append(Rect(number, *[round(v, 2) for v in line]))
    return rects


def _merge(rects: list[Rect]) -> list[Rect]:
    """One rectangle per line: two spans of a quote on one line (a footnote number stepped
    over between them) are drawn as one run."""
    merged: list[Rect] = []
    for r in rects:
        last = merged[-1] if merged else None
        if last and last.page == r.page and r.y0 < last.y1 and r.y1 > last.y0 and 0 <= r.x0 - last.x1 < 8:
            merged[-1] = Rect(r.page, last.x0, min(last.y0, r.y0), r.x1, max(last.y1, r.y1))
        else:
            merged.append(r)
    return merged


def read_back(path: Path, rects: tuple[Rect, ...] | list[Rect]) -> str:
    """The text PDFium finds inside the rectangles: what a reader sees highlighted."""
    with _PDFIUM:
        pages = _pages(path)
        return " ".join(pages.text(r.page)[1].get_text_bounded(r.x0 - 0.5, r.y0 - 0.5, r.x1 + 0.5, r.y1 + 0.5).strip() for r in rects)


def locate(path: Path, quote: str, first_page: int, last_page: int | None = None) -> Highlight:
    """Rectangles over `quote` on pages first_page..last_page of the PDF at `path`, one page
    beyond included (a passage's last page is where its text ends, and a quote's final words
    may be carried over). A quote cut with "…" is placed piece by piece. When the quote is not
    wholly there, two pages before are searched too: a quote of a sub-item opens with its
    paragraph's lead-in, which may stand pages earlier than the sub-item's own passage."""
    try:
        with _PDFIUM:
            pages = _pages(path)
            last = min(pages.count(), max(last_page or first_page, first_page) + 1)
            found = _locate(pages, quote, range(max(1, first_page), last + 1))
            if not found.exact and first_page > 1:
                wider = _locate(pages, quote, range(max(1, first_page - 2), last + 1))
                if wider.exact or (wider.found and not found.found):
                    found = wider
            if not found.found:
                return found
            return replace(found, text=read_back(path, found.rects))
    except pdfium.PdfiumError as error:
        raise HighlightError(f"{path.name}: {error}") from error


def _locate(pages: _Pages, quote: str, numbers: range) -> Highlight:
    stream = _stream(pages, numbers)
    rects: list[Rect] = []
    exact = True
    placed_any = False
    position = 0
    for piece in (fold(p) for p in re.split(r"…", quote)):
        if not piece:
            continue
        sub = _Stream(stream.folded[position:], stream.chars[position:])
        spans, missing = _place(piece, sub)
        if not spans:
            exact = False
            continue
        placed_any = True
        exact = exact and missing == 0
        for start, stop in spans:
            rects += _rects(pages, sub.chars[start], sub.chars[stop - 1])
        position += spans[-1][1]
    if not placed_any:
        return Highlight(found=False, exact=False)
    rects = _merge(rects)
    sizes = tuple(pages.size(n) for n in sorted({r.page for r in rects}))
    return Highlight(found=True, exact=exact, rects=tuple(rects), pages=sizes)
