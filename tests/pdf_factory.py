"""Small PDFs the tests build themselves: text laid out line by line with fpdf2, so that
pypdf's extract_text gives back exactly the lines written (a leading space included, which
is how pypdf renders the first-line indent of a paragraph in the official UN PDFs)."""

from __future__ import annotations

import io
import os
from pathlib import Path

from fpdf import FPDF


def pdf_bytes(pages: list[list[str]], title: str = "") -> bytes:
    """One PDF page per list of lines, each line written at its own baseline."""
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_font("Helvetica", size=9)
    if title:
        pdf.set_title(title)
    for lines in pages:
        pdf.add_page()
        y = 15.0
        for line in lines:
            if line:
                pdf.text(15, y, line)
            y += 5.0
    return bytes(pdf.output())


def write_pdf(path: Path, pages: list[list[str]], title: str = "") -> Path:
    path.write_bytes(pdf_bytes(pages, title))
    return path


def image_only_pdf(path: Path) -> Path:
    """A 'scanned' page: a picture and some drawn shapes, no text layer at all."""
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (40, 20), (200, 30, 30)).save(buf, format="PNG")
    buf.seek(0)
    pdf = FPDF(format="A4")
    pdf.add_page()
    pdf.image(buf, x=20, y=20, w=80)
    pdf.rect(20, 120, 60, 30)
    pdf.line(20, 170, 150, 170)
    path.write_bytes(bytes(pdf.output()))
    return path


def encrypted_pdf(path: Path, pages: list[list[str]], user_password: str = "secret") -> Path:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for page in PdfReader(io.BytesIO(pdf_bytes(pages))).pages:
        writer.add_page(page)
    writer.encrypt(user_password=user_password, owner_password="owner-" + user_password)
    with path.open("wb") as handle:
        writer.write(handle)
    return path


def corrupt_pdf(path: Path, seed: int = 7) -> Path:
    """A %PDF header followed by noise, cut off mid-stream: no xref, no trailer, no pages."""
    import random

    rng = random.Random(seed)
    noise = bytes(rng.randrange(256) for _ in range(1500))
    path.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R" + noise)
    return path


# --- a General Assembly resolution, in miniature ---------------------------------------------

SYMBOL = "A/RES/99/1"
TITLE = "Protection of testing"
FOOTNOTE_1 = "Resolution 217 A (III)."
FOOTNOTE_2 = "See A/99/100, sect. II."


def un_resolution_pages(n_pages: int = 3) -> list[list[str]]:
    """A resolution laid out like the official PDFs: masthead, job number and barcode on
    page 1, running heads that alternate between even and odd pages, "job page/total"
    markers at the foot, and footnotes below a rule. Paragraph first lines start with a
    space. Pages 4.. (when asked for) each add one more operative paragraph.
    """
    total = n_pages

    def top(n: int) -> list[str]:
        return [f"{SYMBOL} {TITLE}" if n % 2 == 0 else f"{TITLE} {SYMBOL}", ""]

    def bottom(n: int) -> list[str]:
        return [f"23-12345 {n}/{total}" if n % 2 == 0 else f"{n}/{total} 23-12345"]

    page1 = [
        f"United Nations  {SYMBOL}",
        "General Assembly  Distr.: General",
        "  15 January 2025",
        "Ninety-ninth session",
        "Agenda item 12",
        "Resolution adopted by the General Assembly on 10 January 2025",
        "[without reference to a Main Committee (A/99/L.1)]",
        "23-12345 (E)    100124",
        "*2312345*",
        f" 99/1. {TITLE}",
        "",
        "The General Assembly,",
        " Recalling the Universal Declaration of Human Rights,1 which proclaims that",
        "everyone is entitled to all the rights and freedoms set forth therein,",
        " Noting with appreciation the report of the Secretary-General on testing,",
        " 1. Calls upon all States to protect the testing of software, and in",
        "particular:",
        " (a) To write tests for every new function;",
        " (b) To run the tests before each release;",
        "__________________",
        f" 1 {FOOTNOTE_1}",
    ]
    page2 = (
        top(2)
        + [
            " (c) To publish the results of the tests, as recommended in the report of",
            "the Secretary-General of 12 July 20242 and its annex;",
            " 2. Requests the Secretary-General to report on the implementation of the",
            "present resolution at its hundredth session;",
            "__________________",
            f" 2 {FOOTNOTE_2}",
        ]
        + bottom(2)
    )
    pages = [page1, page2]
    for n in range(3, total + 1):
        body = [f" {n}. Encourages Member States to share good practices in testing;"]
        if n == total:
            body = [f" {n}. Decides to remain seized of the matter.", "", " 50th plenary meeting", "10 January 2025"]
        pages.append(top(n) + body + bottom(n))
    return pages


def env_paths(*paths: Path) -> str:
    return os.pathsep.join(str(p) for p in paths)
