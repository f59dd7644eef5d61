"""Cleaning rules, each driven by what the real files contain.

Every rule works on lines of one page and keeps the page's cleaned text addressable:
structure later records character spans in that cleaned text.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

# --- characters --------------------------------------------------------------------------

_QUOTES = str.maketrans({"\u00ad": None, "\u200b": None, "\ufeff": None})


def normalise_chars(text: str) -> str:
    """NFKC turns ligatures (ﬂ), non-breaking spaces and full-width forms into plain text;
    the treaty mirror writes LaTeX-style ``quotes'' which readers should never see."""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    text = text.replace("``", "\u201c").replace("''", "\u201d")
    return text.replace("\u2010", "-").replace("\u2011", "-")


# --- UN page furniture ---------------------------------------------------------------------

JOB_NUMBER = re.compile(r"^\d{2}-\d{5}(?:\s*\([EF]\))?(?:\s+\d{6})?$")  # "(F)": the French version
PAGE_MARKER = re.compile(r"^\d{1,3}/\d{1,3}$")
BARCODE = re.compile(r"^\*\d{6,}\*$")
FOOTNOTE_RULE = re.compile(r"^\s*_{5,}\s*$")


def _shape(line: str) -> str:
    """Lines that differ only in their page number, or in the order of their parts (UN
    documents swap symbol and title between even and odd pages), count as one running head."""
    return " ".join(sorted(re.sub(r"\d+/\d+", "#/#", line).split()))


def is_furniture_token(line: str) -> bool:
    """Job numbers, page markers, barcodes and their combinations ("23-25999 2/14")."""
    parts = line.split()
    if not parts:
        return False
    rest = " ".join(p for p in parts if not PAGE_MARKER.match(p))
    return bool(rest == "" or JOB_NUMBER.match(rest) or BARCODE.match(rest))


def running_heads(pages: list[list[str]], top: int = 6) -> set[str]:
    """Lines that open at least a third of the pages: running heads, in any split or order."""
    counts: Counter[str] = Counter()
    for lines in pages[1:]:  # page 1 carries the masthead, not running heads
        seen = {_shape(l) for l in [l for l in lines if l.strip()][:top]}
        counts.update(seen)
    need = max(2, len(pages[1:]) // 3)
    return {shape for shape, n in counts.items() if n >= need and shape}


def strip_running_heads(lines: list[str], heads: set[str], symbol: str, top: int = 6) -> list[str]:
    out: list[str] = []
    seen_content = 0
    for line in lines:
        stripped = line.strip()
        in_top = seen_content < top
        if stripped and (
            is_furniture_token(stripped)
            or (in_top and (_shape(line) in heads or (symbol and symbol in stripped.split() and len(stripped.split()) <= 20)))
        ):
            continue
        if stripped:
            seen_content += 1
        out.append(line)
    return out


# --- footnotes ---------------------------------------------------------------------------

_NOTE_START = re.compile(r"^\s*(\d{1,3})\s+(\S.*)$")


@dataclass
class Footnotes:
    notes: dict[int, str] = field(default_factory=dict)
    orphan: str = ""  # text continuing a note from the previous page


def split_footnotes(lines: list[str]) -> tuple[list[str], Footnotes]:
    """Body lines above the footnote rule, and the notes below it."""
    for i, line in enumerate(lines):
        if FOOTNOTE_RULE.match(line):
            body, tail = lines[:i], lines[i + 1 :]
            break
    else:
        return lines, Footnotes()
    found = Footnotes()
    current: int | None = None
    for line in tail:
        if not line.strip():
            continue
        match = _NOTE_START.match(line)
        if match and (current is None or int(match.group(1)) == current + 1 or not found.notes):
            current = int(match.group(1))
            found.notes[current] = match.group(2).strip()
        elif current is None:
            found.orphan = (found.orphan + " " + line.strip()).strip()
        else:
            found.notes[current] += " " + line.strip()
    return body, found


# Words after which a number is a cross-reference, not a footnote mark.
_REFERENCE_WORDS = {
    "article",
    "articles",
    "paragraph",
    "paragraphs",
    "para",
    "paras",
    "resolution",
    "resolutions",
    "chapter",
    "section",
    "annex",
    "objective",
    "objectives",
    "rule",
    "part",
    "session",
    "no",
    "goal",
    "target",
    "and",
    "or",
    "to",
    "of",
    "the",
    "than",
    "decision",
    "protocol",
    "principle",
    "item",
    # The same in French UN texts: "paragraphe 5 de", "alinéa 3 du préambule", "résolution 73/195".
    "paragraphe",
    "paragraphes",
    "par",
    "alinéa",
    "alinéas",
    "résolution",
    "résolutions",
    "annexe",
    "objectif",
    "objectifs",
    "chapitre",
    "règle",
    "partie",
    "point",
    "décision",
    "protocole",
    "principe",
    "cible",
    "et",
    "ou",
    "au",
    "aux",
    "du",
    "des",
    "de",
}


def _footnote_mark(text: str, n: int, start: int) -> re.Match | None:
    """The first place at or after `start` where footnote `n` is referenced."""
    num = re.escape(str(n))
    after = r"(?=[\s,;:.)\]]|$)"
    patterns = [
        rf"(?<=[^\W\d_])(?<!\b[A-Z])({num}){after}",  # glued to a word: "Rights;2" no, "Rights2"
        rf"(?<=[,;:.)\]\u201d\"\u2019'])({num}){after}",  # glued to punctuation: "Rights,8"
        rf"(?<=\b(?:19|20)\d\d)({num}){after}",  # glued to a year: "2021" + 4 -> "20214"
        # "Rights, 6 which", "Paris Principles. 13  We", "Persons\n22  and"
        rf"(?<=[^\W\d_]|[,;:.)\u201d\"\u2019])\s({num})(?=\s|[,;:)\]]|$)(?! ?(?:per ?cent|%|\d))",
    ]
    best: re.Match | None = None
    for pattern in patterns:
        for match in re.compile(pattern).finditer(text, start):
            if pattern.endswith(r"|\d))") and text[match.start() - 1 : match.start()].isalpha():
                # "article 5 of" is a cross-reference, "Migrants 1 and" a footnote mark.
                word = re.findall(r"[^\W\d_]+", text[max(0, match.start() - 20) : match.start()])
                if word and word[-1].lower() in _REFERENCE_WORDS:
                    continue
            if best is None or match.start() < best.start():
                best = match
            break
    return best


def remove_footnote_marks(text: str, numbers: list[int]) -> tuple[str, list[tuple[int, int]]]:
    """Remove the marks of the page's notes, in order; return the text and (offset, n) pairs."""
    marks: list[tuple[int, int]] = []
    cursor = 0
    pieces: list[str] = []
    consumed = 0
    for n in sorted(numbers):
        match = _footnote_mark(text, n, cursor)
        if match is None:
            continue
        pieces.append(text[consumed : match.start()])
        offset = sum(len(p) for p in pieces)
        marks.append((offset, n))
        consumed = match.end()
        cursor = match.end()
    pieces.append(text[consumed:])
    return "".join(pieces), marks


# --- hyphenation and joining -------------------------------------------------------------


def vocabulary(text: str) -> set[str]:
    """Words of a document, hyphenated compounds included both whole and in parts."""
    words = {w.lower() for w in re.findall(r"[^\W\d_]+(?:-[^\W\d_]+)*", text)}
    return words | {part for w in words if "-" in w for part in w.split("-")}


def join_lines(lines: list[str], vocab: set[str]) -> str:
    """Join wrapped lines into one paragraph.

    UN documents break lines after real hyphens ("whole-of-\\nsociety"), so a line-end
    hyphen is dropped only when the joined word is itself a word of the document and the
    hyphenated compound is not; lines of one word (justified text) simply rejoin.
    """
    out = ""
    for raw in lines:
        line = " ".join(raw.split())
        if not line:
            continue
        if not out:
            out = line
            continue
        head = re.search(r"([^\W\d_]+)-$", out)
        tail = re.match(r"([^\W\d_]+)", line)
        if out.endswith("-") and head and tail:
            joined = (head.group(1) + tail.group(1)).lower()
            compound = f"{head.group(1)}-{tail.group(1)}".lower()
            if joined in vocab and compound not in vocab and tail.group(1)[0].islower():
                out = out[:-1] + line
            else:
                out += line
        elif out.endswith("-") and line[:1].isalpha():
            out += line
        else:
            out += " " + line
    return out


# --- mixed-language files ----------------------------------------------------------------

STOPWORDS = {
    "en": {"the", "of", "and", "to", "in", "shall", "be", "or", "any", "this", "by", "with", "which", "for", "is"},
    "nl": {"de", "het", "van", "een", "en", "in", "op", "dat", "zijn", "wordt", "voor", "met", "door", "deze", "niet", "aan", "te"},
    "fr": {"le", "la", "les", "des", "de", "et", "à", "du", "que", "qui", "dans", "pour", "une", "en", "sur", "par"},
}


def guess_language(text: str) -> str:
    """Stop-word vote; good enough to tell English, French and Dutch blocks apart."""
    words = re.findall(r"[^\W\d_]+", text.lower())
    scores = {lang: sum(w in stop for w in words) for lang, stop in STOPWORDS.items()}
    best = max(scores, key=scores.get)
    return best if scores[best] else ""


def cut_trailing_translation(blocks: list[str], lang: str) -> tuple[int, str]:
    """Index of the block where a trailing translation starts, and its language.

    Three treaty files hold the English text followed by a Dutch translation. Single
    blocks can be misjudged, so the cut is the change point that best separates blocks in
    the document's language from blocks in another one. Returns (len(blocks), "") when
    no translation follows.
    """
    langs = [guess_language(b) for b in blocks]
    votes = [1 if l == lang else (-1 if l else 0) for l in langs]
    best, best_score = len(blocks), sum(votes)
    running = 0
    total = sum(votes)
    for cut in range(len(blocks)):
        # blocks before the cut should vote for `lang`, blocks after it against
        score = running - (total - running)
        if score > best_score:
            best, best_score = cut, score
        running += votes[cut]
    tail = [l for l in langs[best:] if l and l != lang]
    if len(tail) < 3:
        return len(blocks), ""
    return best, Counter(tail).most_common(1)[0][0]
