"""A citation checked against the original, in Debian's chromium on a desktop and on a phone:
the official PDF page drawn by pdf.js with the quote highlighted where it stands, the reading
view of a text source, the preview on each [n], answers framed in French.

The highlight is checked on the rendered page itself: the first and last words of the quote,
found in pdf.js's text layer, must lie inside the highlight rectangles, and every rectangle
must lie over words of the quote. Screenshots are written to tests/api/screenshots/ when
POLICYQA_SCREENSHOT_DIR names it (they are committed with the tests), else to a temporary folder.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import httpx
import pytest
from conftest import REPO, require_shared_corpus
from service_helpers import CHROMIUM, CHROMIUM_ARGS, real_service, small_llm
from service_helpers import browser as _browser

from policyqa.corpus.highlight import fold
from policyqa_api import vendor

pytestmark = pytest.mark.model
SUBSET = ["a-res-80-218-en", "a-res-78-217-en", "gcm-en", "la-declaration-en", "la-declaration-fr"]
RECRUITMENT_FR = "Que dit la résolution de 2025 sur la protection des migrants au sujet du recrutement équitable ?"
CHILDREN_EN = "What does the Global Compact say about ending child detention?"


@pytest.fixture(scope="module")
def llm(tmp_path_factory):
    """The page offers unofficial renderings only where a generative model answers."""
    with small_llm(tmp_path_factory.mktemp("llm")) as base:
        yield base


@pytest.fixture(scope="module")
def server(tmp_path_factory, real_embedder, llm):
    if vendor.ready() is None:
        pytest.fail("pdf.js is not installed: scripts/setup installs it (python -m policyqa_api.vendor)")
    with real_service(tmp_path_factory.mktemp("source-view"), SUBSET, real_embedder, POLICYQA_LLM_BASE_URL=llm) as url:
        yield url


@pytest.fixture
def shots(tmp_path) -> Path:
    folder = Path(os.environ.get("POLICYQA_SCREENSHOT_DIR") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


# In the page: where pdf.js's text layer puts a run of the quote's letters, as client
# rectangles of a DOM Range over the text layer's own text nodes (so the check does not use
# the service's rectangles to find the words it checks them against).
WORDS_ON_PAGE = """([folded, pageNumber]) => {
  const page = document.querySelector(`#panel .pdf-page[data-page="${pageNumber}"]`);
  const walker = document.createTreeWalker(page.querySelector('.textLayer'), NodeFilter.SHOW_TEXT);
  const letters = [];
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    for (let i = 0; i < n.data.length; i++) {
      for (const c of n.data[i].normalize('NFKD').toLowerCase()) if (/[\\p{L}\\p{N}]/u.test(c)) letters.push([c, n, i]);
    }
  }
  const text = letters.map((l) => l[0]).join('');
  const at = text.indexOf(folded);
  if (at < 0) return null;
  const range = document.createRange();
  range.setStart(letters[at][1], letters[at][2]);
  range.setEnd(letters[at + folded.length - 1][1], letters[at + folded.length - 1][2] + 1);
  return [...range.getClientRects()].filter((r) => r.width > 0 && r.height > 0).map((r) => [r.left, r.top, r.right, r.bottom]);
}"""
HIGHLIGHTS = """(pageNumber) => [...document.querySelectorAll(`#panel .pdf-page[data-page="${pageNumber}"] .pdf-highlight`)]
  .map((h) => { const r = h.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; })"""
# Every highlight lies over words: the text-layer spans under its middle line.
UNDER = """(pageNumber) => {
  const page = document.querySelector(`#panel .pdf-page[data-page="${pageNumber}"]`);
  const spans = [...page.querySelectorAll('.textLayer span')].map((s) => [s, s.getBoundingClientRect()]);
  return [...page.querySelectorAll('.pdf-highlight')].map((h) => {
    const r = h.getBoundingClientRect();
    const y = (r.top + r.bottom) / 2;
    return spans.filter(([, b]) => b.top <= y && b.bottom >= y && b.right > r.left && b.left < r.right)
      .map(([s]) => s.textContent).join(' ');
  });
}"""


def inside(word: list[float], boxes: list[list[float]], slack: float = 3.0) -> bool:
    left, top, right, bottom = word
    return any(left >= b[0] - slack and right <= b[2] + slack and top >= b[1] - slack and bottom <= b[3] + slack for b in boxes)


def check_highlight(page, quote: str) -> list[int]:
    """The pages shown, after checking the highlight against the words of `quote` on them."""
    page.wait_for_selector("#panel .pdf-highlight", timeout=60_000)
    page.wait_for_function("() => document.querySelectorAll('#panel .textLayer span').length > 0")
    numbers = [int(n) for n in page.eval_on_selector_all("#panel .pdf-page", "ps => ps.map((p) => p.dataset.page)")]
    pieces = [fold(p) for p in quote.split("…") if fold(p)]
    head, tail = pieces[0][:24], pieces[-1][-24:]
    boxes = {n: page.evaluate(HIGHLIGHTS, n) for n in numbers}
    found_head = found_tail = False
    for n in numbers:
        for part, name in ((head, "head"), (tail, "tail")):
            words = page.evaluate(WORDS_ON_PAGE, [part, n])
            if words:
                assert all(inside(w, boxes[n]) for w in words), f"the quote's {name} on page {n} lies outside the highlight"
                found_head |= name == "head"
                found_tail |= name == "tail"
        for text in page.evaluate(UNDER, n):
            assert fold(text) and (fold(text) in fold(quote) or any(fold(w) in fold(quote) for w in text.split() if len(w) > 4)), text
    assert found_head and found_tail, (head, tail)
    return numbers


def ask(page, question: str, nth: int) -> None:
    page.fill("#question", question)
    page.locator("#ask-button").click()
    page.wait_for_selector(f".turn >> nth={nth} >> .answer[aria-busy=false]", timeout=90_000)


def test_a_french_question_opens_the_official_page_with_the_quote_highlighted(server, shots):
    problems: list[str] = []
    outside: list[str] = []
    with _browser() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        context = browser.new_context(locale="fr-FR", viewport={"width": 1400, "height": 950})
        page = context.new_page()
        page.on("request", lambda r: outside.append(r.url) if not r.url.startswith((server, "data:", "blob:")) else None)
        page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") and "policyqa" in m.text else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.goto(server + "/")
        page.wait_for_selector("#service-status.ok")

        # Readable family names in the interface's language.
        families = page.eval_on_selector_all("#filter-family option[data-family]", "os => os.map((o) => o.textContent)")
        assert families and not any(re.fullmatch(r"[a-z-]+", f) for f in families), families

        ask(page, RECRUITMENT_FR, 0)
        answer = page.locator(".turn").nth(0).locator(".answer")
        text = answer.locator(".answer-text").inner_text()
        # French labels for an English text: no "op." or "preambular" in a French answer.
        assert text.startswith("Selon") and "du dispositif" in text and not re.search(r"\bop\. |preambular", text), text
        listed = answer.locator(".citations").inner_text()
        assert "du dispositif" in listed and "op." not in listed, listed

        # The English quote stays the text; an unofficial rendering follows on request,
        # labelled as such, outside the quote.
        render = answer.locator("button.render")
        render.first.wait_for()
        assert render.count() == 1 and "[1]" in render.inner_text()
        render.click()
        page.wait_for_function("() => (document.querySelector('.rendering-text') || {}).textContent?.trim().length > 0", timeout=120_000)
        rendering = answer.locator(".rendering")
        assert "Traduction non officielle" in rendering.inner_text() and "seul le texte anglais cité fait foi" in rendering.inner_text()
        assert answer.locator(".answer-text").inner_text() == text  # the quote itself is untouched

        # Hovering a marker previews its source; Escape closes the preview.
        marker = answer.locator("button.marker").first
        marker.hover()
        page.wait_for_selector(".preview")
        preview = page.locator(".preview").inner_text()
        assert "A/RES/80/218" in preview and "du dispositif" in preview
        citation = httpx.post(f"{server}/v1/ask", json={"question": RECRUITMENT_FR}, timeout=90).json()["citations"][0]
        assert fold(citation["quote"])[:60] in fold(preview)
        page.screenshot(path=str(shots / "desktop-1-preview.png"), scale="css")
        page.keyboard.press("Escape")
        page.wait_for_selector(".preview", state="detached")

        # A click opens the official PDF page, the quote highlighted on it.
        marker.click()
        numbers = check_highlight(page, citation["quote"])
        assert page.locator("#panel [role=tab][aria-selected=true]").inner_text() == "Page originale"
        if citation["pages"] and "–" in citation["pages"]:
            assert len(numbers) == 2, "a quote that crosses pages shows both pages"
        page.screenshot(path=str(shots / "desktop-2-pdf-highlight.png"), scale="css")

        # The extracted text is one tab away.
        page.locator("#panel [role=tab][data-view=text]").click()
        assert page.locator("#panel .passage-text mark").first.is_visible()

        # A text source (the GCM's text layer) opens in a reading view, the quote marked in place.
        ask(page, CHILDREN_EN, 1)
        page.locator(".turn").nth(1).locator("button.marker").first.click()
        page.locator("#panel [role=tab][data-view=reading]").click()
        page.wait_for_selector("#panel .reading .cited mark")
        marked = page.locator("#panel .reading .cited mark").first
        assert marked.is_visible() and len(marked.inner_text().split()) >= 5
        assert page.locator("#panel .reading-section").count() > 50  # the whole compact, not one passage
        page.screenshot(path=str(shots / "desktop-3-reading-view.png"), scale="css")

        # The careful reading is not offered while the relevance model has no careful setting,
        # even with the model answering (the packaged one has none: eval/README.md).
        if page.locator("#panel-close").is_visible():
            page.locator("#panel-close").click()
        page.locator("summary[data-i18n=filters]").click()
        assert page.locator("#mode option[value=llm]").is_enabled() and not page.locator("#careful-option").is_visible()
        browser.close()
    assert not problems, problems
    assert not outside, outside


def test_on_a_phone_a_tap_previews_and_the_page_fits_the_screen(server, shots):
    with _browser() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        context = browser.new_context(**p.devices["Pixel 7"], locale="fr-FR")
        page = context.new_page()
        page.goto(server + "/")
        page.wait_for_selector("#service-status.ok")
        # A touch screen has no Enter key to mention.
        assert not page.locator("#ask-hint").is_visible()
        page.fill("#question", RECRUITMENT_FR)
        page.locator("#ask-button").tap()
        page.wait_for_selector(".turn >> nth=0 >> .answer[aria-busy=false]", timeout=90_000)
        marker = page.locator("button.marker").first
        box = marker.bounding_box()
        assert box["height"] >= 44 and box["width"] >= 44, box
        # The first tap previews; the panel opens from the preview.
        marker.tap()
        page.wait_for_selector(".preview")
        assert page.locator("#panel").is_hidden()
        preview = page.locator(".preview").bounding_box()
        assert preview["x"] >= 0 and preview["x"] + preview["width"] <= page.viewport_size["width"]
        page.screenshot(path=str(shots / "phone-1-preview.png"), scale="css")
        page.locator(".preview-open").tap()
        citation = httpx.post(f"{server}/v1/ask", json={"question": RECRUITMENT_FR}, timeout=90).json()["citations"][0]
        check_highlight(page, citation["quote"])
        width = page.viewport_size["width"]
        for shown in page.locator("#panel .pdf-page").all():
            assert shown.bounding_box()["width"] <= width, "the page is wider than the phone"
        page.screenshot(path=str(shots / "phone-2-pdf-highlight.png"), scale="css")
        browser.close()


def test_the_highlight_api_refuses_what_it_cannot_show(server):
    passages = httpx.get(f"{server}/v1/search", params={"q": "child detention", "k": 5}).json()
    gcm = next(h["passage"]["id"] for h in passages["hits"] if h["passage"]["doc_id"] == "gcm-en")
    refused = httpx.get(f"{server}/v1/passages/{gcm}/highlight")
    assert refused.status_code == 404 and "/reading" in refused.json()["detail"]
    assert httpx.get(f"{server}/v1/passages/nope/highlight").status_code == 404
    long = httpx.get(f"{server}/v1/passages/{gcm}/highlight", params={"quote": "x" * 7000})
    assert long.status_code == 422
    assert httpx.get(f"{server}/v1/documents/nope/reading").status_code == 404


@pytest.fixture(scope="module")
def french_server(tmp_path_factory, real_embedder):
    """The official French A/RES/80/218 (made by the tests in the UN layout, since this machine
    cannot download it) brought in by `policyqa corpus fetch --from`, indexed with the English."""
    from typer.testing import CliRunner
    from un_fr_factory import write_resolution
    from un_fr_texts import a_res_80_218_fr, item_labels

    from policyqa.cli.main import app
    from policyqa.corpus import catalog, ingest

    tmp = tmp_path_factory.mktemp("french")
    shared = require_shared_corpus()
    english = ingest.ingest(catalog.select(catalog.load_catalog([REPO / "corpus" / "catalog.toml"]), ids=["a-res-80-218-en"]), (shared,))
    folder = tmp / "downloads"
    write_resolution(folder / "A_RES_80_218.pdf", a_res_80_218_fr(item_labels(english.passages)))
    local = tmp / "local"
    env = {"POLICYQA_LOCAL_CORPUS": str(local), "POLICYQA_CORPUS_ROOTS": f"{local}:{shared}"}
    fetched = CliRunner().invoke(app, ["corpus", "fetch", "--doc", "a-res-80-218-fr", "--from", str(folder)], env=env)
    assert fetched.exit_code == 0, fetched.output
    with real_service(tmp, ["a-res-80-218-en", "a-res-80-218-fr"], real_embedder, roots=(local,), POLICYQA_LOCAL_CORPUS=str(local)) as url:
        yield url


NON_REFOULEMENT_FR = "Que demande la résolution de 2025 sur la protection des migrants au sujet du principe de non-refoulement ?"


def test_a_fetched_french_resolution_is_cited_in_french_with_the_english_attached(french_server, shots):
    server = french_server
    answer = httpx.post(f"{server}/v1/ask", json={"question": NON_REFOULEMENT_FR}, timeout=90).json()
    first = answer["citations"][0]
    assert answer["lang"] == "fr" and first["doc_id"] == "a-res-80-218-fr" and first["other_version_id"], answer
    assert "non-refoulement" in first["quote"] and "du dispositif" in first["label"]
    french = httpx.get(f"{server}/v1/passages/{first['passage_id']}").json()["passage"]
    english = httpx.get(f"{server}/v1/passages/{first['other_version_id']}").json()["passage"]
    assert english["doc_id"] == "a-res-80-218-en" and english["parallel_key"] == french["parallel_key"]
    with _browser() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        page = browser.new_context(locale="fr-FR", viewport={"width": 1400, "height": 950}).new_page()
        page.goto(server + "/")
        page.wait_for_selector("#service-status.ok")
        ask(page, NON_REFOULEMENT_FR, 0)
        text = page.locator(".turn .answer-text").first.inner_text()
        assert "non-refoulement" in text and "texte officiel en anglais" not in text, text
        page.locator("button.marker").first.click()
        # The French official PDF's page, the French quote highlighted on it.
        check_highlight(page, first["quote"])
        page.screenshot(path=str(shots / "desktop-4-french-version.png"), scale="css")
        # The English version of the same provision, one click away, highlighted on its own page.
        page.locator("#panel button.other-version").click()
        page.wait_for_selector("#panel .doc-title[lang=en]")
        check_highlight(page, english["text"])
        page.screenshot(path=str(shots / "desktop-5-english-version.png"), scale="css")
        browser.close()
