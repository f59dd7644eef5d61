"""Structure of prose documents: the UDHR (preamble and articles), the Los Angeles
texts (paragraphs, bold section headings, bullets) and the Rabat Process notes."""

from __future__ import annotations

import re
from pathlib import Path

from policyqa.corpus import clean, load
from policyqa.corpus.formats.parsed import Parsed
from policyqa.text.lines import TextLine, joined, paragraphs, span, split_lines, split_where, strip_markdown
from policyqa.types import Document, Section

UDHR_ARTICLE = re.compile(r"^Article\s+(premier|\d{1,2})$")
BULLET = re.compile(r"^[-*•]\s+")
BOLD_BLOCK = re.compile(r"^\*\*\*?([^*\n]+(?:\n[^*\n]+)*?)\*?\*\*[ \t]*$", re.M)
HEADING = re.compile(r"^## (.+)$")
END_MARK = re.compile(r"^\\?#{3}$")

# Web-page furniture of the news article: weather, place, date, site menus, footer.
WEB_FURNITURE = re.compile(
    r"^(?:-?\d+(?:[.,]\d+)?\s*°?C|Annonces légales|Latest Posts|A lire|À lire|Reste en contact|"
    r"spot_img.*|(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche),? \w+ \d{1,2},? \d{4}|"
    r"Pour être mis à jour.*|Casablanca|Rabat)$",
    re.I,
)
SYNDICATION = re.compile(r"^Cet article .* est apparu en premier sur .*$")


def clean_text(text: str, markdown: bool) -> str:
    text = clean.normalise_chars(text)
    if markdown:
        # A bold paragraph on its own is a section heading, even when it wraps.
        text = BOLD_BLOCK.sub(lambda m: "## " + " ".join(m.group(1).split()), text)
        text = "\n".join(strip_markdown(line) for line in text.split("\n"))
    return text


def udhr(text: str, lang: str) -> list[Section]:
    """One line per paragraph; 'Preamble'/'Préambule' then 'Article N' / 'Article premier'."""
    lines = split_lines(text)
    vocab = clean.vocabulary(text)
    units: list[tuple[str, str, str, list[TextLine]]] = []
    for line in lines[1:]:  # the first line is the title
        article = UDHR_ARTICLE.match(line.text)
        if line.text in {"Preamble", "Préambule"}:
            units.append(("preamble", line.text, "preamble", []))
        elif article:
            n = "1" if article.group(1) == "premier" else article.group(1)
            units.append((f"art-{n}", line.text, "article", []))
        elif units:
            units[-1][3].append(line)
    out = []
    for key, locator, kind, body in units:
        paras = [joined([l], vocab) for l in body]
        out.append(Section(key=key, locator=locator, kind=kind, lead="\n".join(paras), char_start=body[0].start, char_end=body[-1].end))
    return out


def declaration(text: str, lang: str) -> list[Section]:
    """Paragraphs under bold headings; each bullet is its own citable unit."""
    lines = [l for l in split_lines(text) if not END_MARK.match(l.text) and not set(l.text) <= {"-"}]
    vocab = clean.vocabulary(text)
    heading = ""
    out: list[Section] = []
    n_para = n_bullet = 0
    for group in split_where(paragraphs(lines), lambda t: bool(BULLET.match(t) or HEADING.match(t))):
        bold = HEADING.match(group[0].text)
        if bold:
            heading = bold.group(1).strip()
            continue
        body = joined(group, vocab)
        if BULLET.match(body):
            n_bullet += 1
            key, loc, kind = f"bullet-{n_bullet}", f"bullet {n_bullet}", "bullet"
            body = BULLET.sub("", body)
        else:
            n_para += 1
            key, loc, kind = f"p-{n_para}", f"para {n_para}", "paragraph"
        if heading:
            loc = f"{heading} › {loc}"
        c0, c1 = span(group)
        out.append(Section(key=key, locator=loc, kind=kind, lead=body.strip(), char_start=c0, char_end=c1, context=heading))
    return out


def note(text: str, lang: str) -> tuple[list[Section], list[str]]:
    """Plain notes and news articles: one paragraph per line, short lines are headings."""
    lines = split_lines(text)
    kept: list[TextLine] = []
    dropped = 0
    for line in lines:
        if SYNDICATION.match(line.text):
            dropped += len(lines) - lines.index(line)
            break  # the syndication line closes the article; what follows is site furniture
        if WEB_FURNITURE.match(line.text):
            dropped += 1
            continue
        kept.append(line)
    vocab = clean.vocabulary(text)
    out: list[Section] = []
    heading = ""
    n = 0
    for line in kept:
        words = line.text.split()
        if len(words) <= 14 and not line.text.endswith((".", ":", ";", "»", '"', "”")):
            heading = line.text
            continue
        n += 1
        loc = f"{heading} › para {n}" if heading else f"para {n}"
        out.append(
            Section(
                key=f"p-{n}",
                locator=loc,
                kind="paragraph",
                lead=joined([line], vocab),
                char_start=line.start,
                char_end=line.end,
                context=heading,
            )
        )
    warnings = [f"dropped {dropped} line(s) of web-page furniture"] if dropped else []
    return out, warnings


def accepts(doc: Document) -> bool:
    return doc.format in ("md", "txt")


def parse(doc: Document, path: Path) -> Parsed:
    """Markdown: a declaration's headed paragraphs and bullets; text: the UDHR, or a note."""
    if doc.format == "md":
        return Parsed(declaration(clean_text(load.read_markdown(path).pages[0].text, True), doc.lang), 1, [])
    text = clean_text(load.read_text(path), False)
    if doc.family == "udhr":
        return Parsed(udhr(text, doc.lang), 1, [])
    found, warnings = note(text, doc.lang)
    return Parsed(found, 1, warnings)
