"""Placing quotes on the pages of the real UN PDFs (pypdfium2 over the shared corpus)."""

from __future__ import annotations

import pytest
from conftest import require_shared_corpus

from policyqa.corpus.highlight import fold, locate, read_back


@pytest.fixture(scope="module")
def res_80_218():
    return require_shared_corpus() / "un" / "A_RES_80_218.pdf"


def test_fold_keeps_letters_and_digits_and_opens_ligatures():
    assert fold("Non-custodial « care »,\n ﬁnancial 29 (h)") == "noncustodialcarefinancial29h"


def test_a_quote_inside_a_line_is_covered_exactly(res_80_218):
    quote = "to facilitate fair and ethical recruitment"
    found = locate(res_80_218, quote, 6)
    assert found.found and found.exact and len(found.rects) == 1
    assert fold(found.text) == fold(quote)
    assert [p.page for p in found.pages] == [6] and found.pages[0].width == 612.0


def test_a_quote_across_a_page_break_is_covered_on_both_pages(res_80_218):
    # Operative paragraph 2 starts at the foot of page 5 and ends at the head of page 6; the
    # running head and foot between them are stepped over, not highlighted.
    quote = (
        "urges Governments to combat discriminatory treatment of migrants, in particular migrant workers and their families, "
        "and to facilitate fair and ethical recruitment"
    )
    found = locate(res_80_218, quote, 5, 6)
    assert found.found and found.exact
    assert [p.page for p in found.pages] == [5, 6]
    assert fold(found.text) == fold(quote)
    assert "A/RES/80/218" not in found.text and "25-20973" not in found.text


def test_a_quote_cut_with_an_ellipsis_is_placed_piece_by_piece(res_80_218):
    found = locate(res_80_218, "Expresses its concern about the impacts … to facilitate fair and ethical recruitment", 5, 6)
    assert found.found and found.exact
    both = "Expresses its concern about the impacts to facilitate fair and ethical recruitment"
    assert fold(read_back(res_80_218, found.rects)) == fold(both)


def test_words_that_are_not_on_the_pages_are_not_placed(res_80_218):
    found = locate(res_80_218, "The Security Council decides to impose sanctions on every flag State", 3)
    assert not found.found and not found.rects
    # Past a placed start, a piece is looked for only within a short gap of it: a quote's end
    # is never taken from elsewhere on the page.
    stitched = locate(res_80_218, "Expresses its concern about the impacts of the Security Council on every flag State", 5, 6)
    assert stitched.found and not stitched.exact


def test_a_page_break_after_footnotes_and_a_long_running_head_is_stepped_over():
    # A/RES/80/9, annex para 13: page 3 ends with a footnote, page 4 opens with a two-line head.
    path = require_shared_corpus() / "un" / "A_RES_80_9.pdf"
    quote = "we will seek to ensure that laws and policies are in place to alleviate reliance on victims’ testimonies. We also commit"
    found = locate(path, quote, 3, 4)
    assert found.found and found.exact and [p.page for p in found.pages] == [3, 4]
    assert fold(found.text) == fold(quote) and "68/192" not in found.text and "Political Declaration" not in found.text


def test_a_sub_item_quoted_with_its_lead_in_pages_earlier_is_placed(res_80_218):
    # The passage of a sub-item starts on its own page; its paragraph's lead-in is found on the
    # pages before it.
    lead = "Reaffirms the rights set forth in the Universal Declaration of Human Rights"
    found = locate(res_80_218, lead + " … (d) Calls upon States to ensure that their laws and policies", 7, 7)
    assert found.found and found.exact and 6 in [p.page for p in found.pages]


def test_many_threads_on_many_files_with_files_closed_as_they_go(monkeypatch):
    # PDFium is not thread-safe even across documents: without one lock around every call this
    # crashed the process (double free) about one run in two.
    import threading

    from policyqa.corpus import highlight

    monkeypatch.setattr(highlight, "_KEEP_OPEN", 2)  # files are closed and reopened all along
    folder = require_shared_corpus() / "un"
    jobs = [
        (folder / "A_RES_80_218.pdf", "to facilitate fair and ethical recruitment", 6),
        (folder / "A_RES_80_9.pdf", "We also commit", 4),
    ]
    jobs += [(path, "General Assembly", 1) for path in sorted(folder.glob("*.pdf"))]
    failures: list[str] = []

    def work(offset: int) -> None:
        for i in range(12):
            path, quote, page = jobs[(offset + i) % len(jobs)]
            if not locate(path, quote, page).found:
                failures.append(f"{path.name}: {quote}")

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures, failures


def test_a_file_pdfium_cannot_read_is_a_clean_error(tmp_path):
    from policyqa.corpus.highlight import HighlightError

    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7\nnot a PDF at all")
    with pytest.raises(HighlightError, match="broken.pdf"):
        locate(broken, "anything at all here", 1)
