"""A handout as a printable PDF: A4, 20 mm margins, a Unicode font, headings, page numbers.

fpdf2's core fonts are Latin-1 only; French quotes need « », ’ and …, so a DejaVu TTF
(shipped with matplotlib, under a free licence) is embedded instead.
"""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF

from policyqa.training.handout import Bullets, Handout, Heading, Para, Quote, quote_marks

MARGIN = 20  # mm: room for hole punching and for notes in the margin
BODY = 10.5
LINE = 5.2  # mm per body line


class FontMissing(RuntimeError):
    """No Unicode TTF font was found; the message says where it was looked for."""


def font_dir() -> Path:
    import matplotlib

    folder = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    if not (folder / "DejaVuSans.ttf").is_file():
        raise FontMissing(f"DejaVuSans.ttf not found in {folder}: reinstall matplotlib")
    return folder


def page_label(page: int, total: str) -> str:
    return f"Page {page} / {total}"


class _Pdf(FPDF):
    def __init__(self, handout: Handout) -> None:
        super().__init__(format="A4")
        self.handout = handout
        folder = font_dir()
        self.add_font("DejaVu", "", str(folder / "DejaVuSans.ttf"))
        self.add_font("DejaVu", "B", str(folder / "DejaVuSans-Bold.ttf"))
        self.add_font("DejaVu", "I", str(folder / "DejaVuSans-Oblique.ttf"))
        self.add_font("DejaVu", "BI", str(folder / "DejaVuSans-BoldOblique.ttf"))
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(True, margin=MARGIN)
        self.alias_nb_pages("{nb}")
        self.set_title(handout.title)
        self.set_lang(handout.lang)
        self.set_creator("policyqa")

    def header(self) -> None:
        if self.page_no() > 1 and self.handout.running_head:
            self.set_y(8)
            self.set_font("DejaVu", "I", 8)
            self.set_text_color(110)
            self.cell(0, 5, self.handout.running_head, align="C")
            self.set_text_color(0)
            self.set_y(MARGIN)

    def footer(self) -> None:
        self.set_y(-13)
        self.set_font("DejaVu", "", 8)
        self.set_text_color(110)
        self.cell(0, 5, page_label(self.page_no(), "{nb}"), align="C")
        self.set_text_color(0)

    def room_for(self, height: float) -> None:
        """Start a new page rather than leave a heading or a short quote split from its text."""
        if self.get_y() + height > self.h - MARGIN:
            self.add_page()


def _text_height(pdf: _Pdf, text: str, width: float, line: float) -> float:
    lines = pdf.multi_cell(width, line, text, dry_run=True, output="LINES")
    return len(lines) * line


def _heading_height(pdf: _Pdf, block: Heading, width: float) -> float:
    size = 14 if block.level == 1 else 11.5
    pdf.set_font("DejaVu", "B", size)
    return (3 if block.level == 1 else 1.5) + _text_height(pdf, block.text, width, size * 0.5) + 1.5


def _quote_height(pdf: _Pdf, block: Quote, width: float) -> float:
    opening, closing = quote_marks(block.lang)
    pdf.set_font("DejaVu", "", BODY)
    needed = _text_height(pdf, f"{opening}{' '.join(block.text.split())}{closing}", width - 6, LINE)
    pdf.set_font("DejaVu", "I", 8.5)
    return needed + _text_height(pdf, f"— {block.source}" + (f" {block.note}" if block.note else ""), width - 6, 4.2)


def _kept_with(pdf: _Pdf, blocks: tuple, at: int, width: float) -> float:
    """The height that must fit on this page for the headings from `at` not to be left alone
    at its foot: the headings, then what comes after them, or its first lines."""
    needed = 0.0
    while at < len(blocks) and isinstance(blocks[at], Heading):
        needed += _heading_height(pdf, blocks[at], width)
        at += 1
    if at == len(blocks):
        return needed
    block = blocks[at]
    if isinstance(block, Quote):
        whole = _quote_height(pdf, block, width) + 2
        # _quote moves a quote that fits on a page to the next one whole; a longer one starts here.
        return needed + (whole if whole < pdf.h - 2 * MARGIN - 10 else 4 * LINE)
    if isinstance(block, Para):
        pdf.set_font("DejaVu", "I" if block.emphasis else "", BODY)
        return needed + min(_text_height(pdf, " ".join(block.text.split()), width, LINE), 4 * LINE)
    return needed + 3 * LINE  # the first items of a list


def render_pdf(handout: Handout) -> bytes:
    pdf = _Pdf(handout)
    pdf.add_page()
    width = pdf.w - 2 * MARGIN
    pdf.set_font("DejaVu", "B", 17)
    pdf.multi_cell(width, 8, handout.title, new_x="LMARGIN", new_y="NEXT", align="L")
    if handout.subtitle:
        pdf.ln(1)
        pdf.set_font("DejaVu", "I", 10)
        pdf.multi_cell(width, 5, handout.subtitle, new_x="LMARGIN", new_y="NEXT", align="L")
    pdf.ln(3)
    blocks = handout.blocks
    for at, block in enumerate(blocks):
        if isinstance(block, Heading):
            size = 14 if block.level == 1 else 11.5
            if at == 0 or not isinstance(blocks[at - 1], Heading):
                # A heading never ends a page: it goes over with the headings under it and the
                # start of what they head (a quote kept whole moves whole, so they move with it).
                pdf.room_for(_kept_with(pdf, blocks, at, width))
            pdf.set_font("DejaVu", "B", size)
            pdf.ln(3 if block.level == 1 else 1.5)
            pdf.multi_cell(width, size * 0.5, block.text, new_x="LMARGIN", new_y="NEXT", align="L")
            pdf.ln(1.5)
        elif isinstance(block, Para):
            pdf.set_font("DejaVu", "I" if block.emphasis else "", BODY)
            pdf.multi_cell(width, LINE, " ".join(block.text.split()), new_x="LMARGIN", new_y="NEXT", align="L")
            pdf.ln(2)
        elif isinstance(block, Bullets):
            pdf.set_font("DejaVu", "", BODY)
            for n, item in enumerate(block.items, 1):
                mark = f"{n}." if block.numbered else "" if block.labelled else "•"
                pdf.room_for(2 * LINE)
                pdf.set_x(MARGIN + 3)
                pdf.cell(7, LINE, mark)
                pdf.multi_cell(width - 10, LINE, " ".join(item.split()), new_x="LMARGIN", new_y="NEXT", align="L")
                pdf.ln(1)
            pdf.ln(1)
        elif isinstance(block, Quote):
            _quote(pdf, block, width)
    return bytes(pdf.output())


def _quote(pdf: _Pdf, block: Quote, width: float) -> None:
    indent = 6
    opening, closing = quote_marks(block.lang)
    text = f"{opening}{' '.join(block.text.split())}{closing}"
    source = f"— {block.source}"
    pdf.set_font("DejaVu", "", BODY)
    needed = _text_height(pdf, text, width - indent, LINE)
    pdf.set_font("DejaVu", "I", 8.5)
    needed += _text_height(pdf, source + (f" {block.note}" if block.note else ""), width - indent, 4.2)
    if needed < pdf.h - 2 * MARGIN - 10:
        pdf.room_for(needed + 2)  # keep a quote and its source on one page when it fits
    top, page = pdf.get_y(), pdf.page_no()
    pdf.set_x(MARGIN + indent)
    pdf.set_font("DejaVu", "", BODY)
    pdf.multi_cell(width - indent, LINE, text, new_x="LMARGIN", new_y="NEXT", align="L")
    pdf.set_x(MARGIN + indent)
    pdf.set_font("DejaVu", "I", 8.5)
    pdf.set_text_color(70)
    pdf.multi_cell(width - indent, 4.2, source + (f" {block.note}" if block.note else ""), new_x="LMARGIN", new_y="NEXT", align="L")
    pdf.set_text_color(0)
    if pdf.page_no() == page:  # a rule in the margin marks the quotation
        pdf.set_draw_color(160)
        pdf.set_line_width(0.6)
        pdf.line(MARGIN + 2, top + 0.5, MARGIN + 2, pdf.get_y() - 0.5)
    pdf.ln(3)
