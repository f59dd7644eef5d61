"""Checks shared by the training-material tests: a PDF is readable (pages rendered with
pdftoppm are not blank), and every quotation printed in it lies verbatim in the passage its
source line names."""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest

from policyqa.training.handout import Bullets, Handout, Heading, quote_marks
from policyqa.types import Passage

PASSAGE_ID = re.compile(r"passage ([0-9a-f]{8,})")


def norm(text: str) -> str:
    """NFKC, straight quotes and apostrophes, whitespace collapsed (PDF lines wrap anywhere)."""
    text = unicodedata.normalize("NFKC", text)
    for curly, straight in (("’", "'"), ("‘", "'"), ("“", '"'), ("”", '"')):
        text = text.replace(curly, straight)
    return " ".join(text.split())


def pdf_text(path: Path, handout: Handout) -> str:
    """The PDF's text with the page furniture (running head, page numbers) taken out."""
    from pypdf import PdfReader

    lines = []
    for page in PdfReader(path).pages:
        for line in page.extract_text().splitlines():
            if re.fullmatch(r"\s*Page \d+ / \d+\s*", line) or line.strip() == handout.running_head.strip():
                continue
            lines.append(line)
    return norm("\n".join(lines))


def pdf_pages(path: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(path).pages)


def assert_pages_not_blank(path: Path, tmp_path: Path) -> int:
    """Render every page to PNG and check each has ink on it; returns the page count."""
    from PIL import Image

    if shutil.which("pdftoppm") is None:
        pytest.fail("pdftoppm is missing: apt-get install -y poppler-utils")
    prefix = tmp_path / f"{path.stem}-page"
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(path), str(prefix)], check=True, capture_output=True)
    pngs = sorted(tmp_path.glob(f"{path.stem}-page*.png"))
    assert pngs, f"pdftoppm rendered no page of {path}"
    for png in pngs:
        image = Image.open(png).convert("L")
        dark = sum(image.histogram()[:128])
        assert dark / (image.width * image.height) > 0.002, f"{png.name} looks blank"
    return len(pngs)


def quote_is_in(quote: str, passage: Passage) -> bool:
    """Every piece of a quote (pieces are joined, or cut short, by '…') lies in the passage."""
    text = norm(passage.text)
    return all(norm(piece) in text for piece in re.split(r"\s*…\s*", quote) if piece.strip())


def assert_quotes_verbatim(path: Path, handout: Handout, passages: dict[str, Passage]) -> int:
    """Each quotation printed in the PDF, with its source line right after it, is a verbatim
    part of the passage the source line names; no passage id is printed without its quote,
    except beside one (a near-identical wording) or as a list's pointer. Returns the number
    of quotes."""
    text = pdf_text(path, handout)
    printed_ids = set(PASSAGE_ID.findall(text))
    quoted_ids = set()
    for q in handout.quotes():
        opening, closing = quote_marks(q.lang)
        block = norm(f"{opening}{' '.join(q.text.split())}{closing} — {q.source}")
        assert block in text, f"quote not printed as given: {block[:160]}"
        pid = q.passage_id or PASSAGE_ID.findall(q.source)[0]
        assert pid in passages, f"the source names an unknown passage {pid}"
        assert quote_is_in(q.text, passages[pid]), f"not verbatim in passage {pid}: {q.text[:160]}"
        quoted_ids.add(pid)
        quoted_ids.update(PASSAGE_ID.findall(q.note))
    # A list item may point to a passage without quoting it (a record's "closest passages").
    pointers = {pid for b in handout.blocks if isinstance(b, Bullets) for item in b.items for pid in PASSAGE_ID.findall(item)}
    assert printed_ids <= quoted_ids | pointers, f"passages named without a checked quote: {printed_ids - quoted_ids - pointers}"
    return len(handout.quotes())


def assert_no_stranded_headings(path: Path, handout: Handout) -> None:
    """No page ends with a heading: the last line printed on each page but the last is not a
    heading (nor the end of one that wraps), and no internal passage id is printed."""
    from pypdf import PdfReader

    headings = [norm(b.text) for b in handout.blocks if isinstance(b, Heading)]
    pages = PdfReader(path).pages
    for number, page in enumerate(pages[:-1], 1):
        lines = [
            norm(line)
            for line in page.extract_text().splitlines()
            if line.strip() and not re.fullmatch(r"\s*Page \d+ / \d+\s*", line) and line.strip() != handout.running_head.strip()
        ]
        assert lines, f"page {number} is empty"
        last = lines[-1]
        stranded = [h for h in headings if h.endswith(last) or last.endswith(h)]
        assert not stranded, f"page {number} of {path.name} ends with the heading {stranded[0]!r}"


# The English labels' words ("op. 5", "preambular para 3", "Objective 13 › para 29"), which a
# reader of French material meets only inside the English quotes.
ENGLISH_LABELS = re.compile(r"\bop\. |\bpreambular\b|\bObjective\b|\boperative\b|\bpara \d")


def french_prose(markdown: str) -> str:
    """A handout's Markdown without its quotes, nor the words of a quote a question repeats in
    « »: the frame written for the reader."""
    lines = [line for line in markdown.splitlines() if not re.match(r"> [«“]", line)]
    return re.sub(r"«[^»]*»|“[^”]*”", "", norm("\n".join(lines)))
