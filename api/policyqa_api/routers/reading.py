"""The original, as a reader checks a citation against it: the PDF page with the quote's
rectangles, or, for a text or Markdown source, a clean reading view of the whole document."""

from typing import Literal

from fastapi import APIRouter, HTTPException, Query

from policyqa.answer.locators import section_label
from policyqa.corpus import catalog
from policyqa.corpus.highlight import Highlight, HighlightError, locate

from ..deps import ServiceDep
from ..schemas import HighlightOut, PageSizeOut, PassageOut, ReadingOut, ReadingSectionOut, RectOut
from .documents import _document, _out

router = APIRouter(tags=["documents"])
# A quote is at most a passage, cut into a few pieces; anything longer is not one of ours.
MAX_QUOTE = 6000
MAX_PIECES = 24


@router.get(
    "/passages/{passage_id}/highlight",
    response_model=HighlightOut,
    summary="Where a quote of this passage lies on the pages of its PDF (rectangles in PDF points)",
)
def highlight(
    passage_id: str,
    service: ServiceDep,
    quote: str = Query("", max_length=MAX_QUOTE, description="the cited words; the whole passage when empty"),
) -> HighlightOut:
    index = service.ready_retriever().index
    row = index.row_of.get(passage_id)
    if row is None:
        raise HTTPException(404, f"no passage '{passage_id}' in the index")
    p = index.passages[row]
    doc = _document(service, p.doc_id)
    if doc.format != "pdf" or p.page_start is None:
        raise HTTPException(404, f"'{doc.id}' is not a PDF, so it has no page to highlight: GET /v1/documents/{doc.id}/reading shows it")
    path = catalog.locate(doc, service.settings.corpus_roots)
    if path is None:
        raise HTTPException(404, f"the file of '{doc.id}' is not available on this server")
    if quote.count("…") >= MAX_PIECES:
        raise HTTPException(422, f"a quote of more than {MAX_PIECES} pieces is not one of this passage's")
    try:
        found = locate(path, quote.strip() or p.text, p.page_start, p.page_end)
    except HighlightError:
        # PDFium cannot read a file pypdf could: the page is still shown, without a highlight.
        found = Highlight(found=False, exact=False)
    return HighlightOut(
        passage_id=p.id,
        doc_id=doc.id,
        file_url=f"/v1/documents/{doc.id}/file",
        found=found.found,
        exact=found.exact,
        pages=[PageSizeOut(page=s.page, width=s.width, height=s.height) for s in found.pages],
        rects=[RectOut(page=r.page, x0=r.x0, y0=r.y0, x1=r.x1, y1=r.y1) for r in found.rects],
        text=found.text,
    )


@router.get("/documents/{doc_id}/reading", response_model=ReadingOut, summary="The document's indexed text, section by section")
def reading(
    doc_id: str,
    service: ServiceDep,
    lang: Literal["fr", "en"] | None = Query(
        None, description="write the locators for a reader of this language (default: the document's)"
    ),
) -> ReadingOut:
    doc = _document(service, doc_id)
    passages = [p for p in service.ready_retriever().index.passages if p.doc_id == doc.id]
    if not passages:
        raise HTTPException(404, f"'{doc.id}' has no passage in the index")
    sections: list[ReadingSectionOut] = []
    for p in passages:
        # A long paragraph is indexed in parts and runs of sub-items; the reader sees it whole,
        # under the label of the whole section.
        key = p.section_key or p.locator
        if sections and sections[-1].section_key == key:
            sections[-1].passages.append(PassageOut.of(p))
            continue
        sections.append(
            ReadingSectionOut(
                section_key=key, locator=section_label(p, lang or p.lang), context=p.context, pages=p.pages, passages=[PassageOut.of(p)]
            )
        )
    return ReadingOut(document=_out(service, doc), sections=sections)
