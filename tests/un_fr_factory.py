"""French General Assembly documents in the official UN layout, built by the tests with fpdf2
(DejaVu, since French needs ’, « » and œ): the French masthead, "L’Assemblée générale,",
preambular paragraphs opening with an italic participle, operative paragraphs "1. Prie …" with
sub-items "a)" and "i)" (French UN style, no opening parenthesis), running heads, job number
"25-20973 (F)" and barcode "*2520973*", footnotes below a rule, the closing "50e séance
plénière". pypdf reads the text back line by line, a paragraph's first line indented by a
space, as it reads the official PDFs.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from pathlib import Path

from fpdf import FPDF

from policyqa.training.render_pdf import font_dir

Run = tuple[str, str]  # (style: "" or "I", text)
WIDTH = 92  # characters to a line
LINES_PER_PAGE = 48


@dataclass(frozen=True)
class Pp:
    """A preambular paragraph: its italic opening participle, then the rest."""

    opener: str
    rest: str


@dataclass(frozen=True)
class Op:
    """A numbered paragraph: its italic verb, the rest, and sub-items (label, italic verb, rest)."""

    number: int
    verb: str
    rest: str
    items: tuple[tuple[str, str, str], ...] = ()


@dataclass(frozen=True)
class Heading:
    text: str


@dataclass(frozen=True)
class Resolution:
    symbol: str  # "A/RES/80/218"
    number: str  # "80/218"
    title: str  # "Protection des migrants"
    job: str  # "25-20973"
    session: str  # "Quatre-vingtième session"
    adopted: str  # "le 18 décembre 2025"
    report: str  # "[sur la base du rapport de la Troisième Commission (A/80/545, par. 5)]"
    body: list = field(default_factory=list)  # Pp, Op, Heading, "Annexe" (the word alone)
    notes: tuple[str, ...] = ()  # footnotes 1.., printed under page 1's body
    closing: tuple[str, str] = ("50e séance plénière", "18 décembre 2025")


def _wrap(label: str, opener: str, rest: str) -> list[list[Run]]:
    """A paragraph's lines: the first indented by one space, its label plain, its opener italic."""
    head = f"{label} " if label else ""
    lines = textwrap.wrap(f"{head}{opener} {rest}".strip(), WIDTH)
    out: list[list[Run]] = []
    for i, line in enumerate(lines):
        if i == 0:
            runs: list[Run] = [("", " " + head)] if head else [("", " ")]
            after = line[len(head) :]
            if opener and after.startswith(opener):
                runs += [("I", opener), ("", after[len(opener) :])]
            else:
                runs.append(("", after))
            out.append(runs)
        else:
            out.append([("", line)])
    return out


def _body_lines(doc: Resolution) -> list[list[Run]]:
    lines: list[list[Run]] = [[("", " L’Assemblée générale,")]]
    for part in doc.body:
        if part == "Annexe":
            lines += [[("", " Annexe")]]
        elif isinstance(part, Heading):
            lines += [[("", " " + line)] if i == 0 else [("", line)] for i, line in enumerate(textwrap.wrap(part.text, WIDTH))]
        elif isinstance(part, Pp):
            lines += _wrap("", part.opener, part.rest)
        else:
            lines += _wrap(f"{part.number}.", part.verb, part.rest)
            for label, verb, rest in part.items:
                lines += _wrap(label, verb, rest)
    lines += [[("", " " + doc.closing[0])], [("", doc.closing[1])]]
    return lines


def resolution_pages(doc: Resolution) -> list[list[list[Run]]]:
    masthead = [
        f"Nations Unies  {doc.symbol}",
        "Assemblée générale  Distr. générale",
        "  22 décembre 2025",
        f"{doc.job} (F)",
        f"*{doc.job.replace('-', '')}*",
        doc.session,
        "Point 71 b) de l’ordre du jour",
        "  Résolution adoptée par l’Assemblée générale",
        doc.adopted,
        doc.report,
        f" {doc.number}. {doc.title}",
        "",
    ]
    body = _body_lines(doc)
    notes = ["_______________"] + [f" {n} {text}" for n, text in enumerate(doc.notes, 1)] if doc.notes else []
    room_first = LINES_PER_PAGE - len(masthead) - len(notes) - 2
    chunks = [body[:room_first]]
    rest = body[room_first:]
    while rest:
        chunks.append(rest[: LINES_PER_PAGE - 4])
        rest = rest[LINES_PER_PAGE - 4 :]
    total = len(chunks)
    foot = [f"{doc.job} (F)    221225", f"*{doc.job.replace('-', '')}*"]
    pages = [[[("", line)] for line in masthead] + chunks[0] + [[("", line)] for line in notes + foot]]
    for n, chunk in enumerate(chunks[1:], 2):
        head = f"{doc.symbol} {doc.title}" if n % 2 == 0 else f"{doc.title} {doc.symbol}"
        foot = f"{doc.job} {n}/{total}" if n % 2 == 0 else f"{n}/{total} {doc.job}"
        pages.append([[("", head)], [("", "")], [("", foot)], [("", "")]] + chunk)
    return pages


def write_resolution(path: Path, doc: Resolution) -> Path:
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(False)
    folder = font_dir()
    pdf.add_font("DejaVu", "", str(folder / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "I", str(folder / "DejaVuSans-Oblique.ttf"))
    for page in resolution_pages(doc):
        pdf.add_page()
        y = 12.0
        for runs in page:
            x = 12.0
            for style, text in runs:
                if text:
                    pdf.set_font("DejaVu", style, 8)
                    pdf.text(x, y, text)
                    x += pdf.get_string_width(text)
            y += 5.6
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(bytes(pdf.output()))
    return path
