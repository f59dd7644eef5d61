"""The real service end to end: real documents, EmbeddingGemma, a FAISS index on disk, a
uvicorn process, exercised over HTTP and through the chat page in Debian's chromium driven
by Playwright. Screenshots go to $POLICYQA_SCREENSHOT_DIR (default: the test's tmp folder)."""

from __future__ import annotations

import os
from pathlib import Path

import httpx
import pytest
from service_helpers import CHROMIUM, CHROMIUM_ARGS, real_service, sse_events
from service_helpers import browser as _browser

pytestmark = pytest.mark.model
SUBSET = [
    "gcm-en",
    "udhr-en",
    "udhr-fr",
    "smuggling-protocol-2000-en",
    "refugee-convention-1951-en",
    "a-res-78-217-en",
    "rabat-marrakech-2023-fr",
]
DETENTION_FR = "Quelles garanties le Pacte mondial prévoit-il pour les migrants en détention ?"


@pytest.fixture(scope="module")
def server(tmp_path_factory, real_embedder):
    # No generative model answers here: the page must say so instead of offering it.
    with real_service(tmp_path_factory.mktemp("real-service"), SUBSET, real_embedder) as url:
        yield url


def test_the_real_service_answers_streams_and_follows_up_over_http(server):
    answer = httpx.post(f"{server}/v1/ask", json={"question": DETENTION_FR}, timeout=60).json()
    assert answer["answered"] and answer["lang"] == "fr"
    assert any(c["doc_id"] == "gcm-en" and c["locator"].startswith("Objective 13") for c in answer["citations"]), answer
    follow = httpx.post(
        f"{server}/v1/ask",
        json={"question": "et pour les enfants ?", "conversation_id": answer["conversation_id"]},
        headers={"X-Conversation-Token": answer["conversation_token"]},
        timeout=60,
    ).json()
    assert follow["follow_up"] and follow["lang"] == "fr" and follow["answered"]
    cited = [httpx.get(f"{server}/v1/passages/{c['passage_id']}").json()["passage"]["text"] for c in follow["citations"]]
    assert any("child" in text for text in cited), follow  # para 29 (h): "the best interests of the child"
    streamed = httpx.post(
        f"{server}/v1/ask/stream",
        json={"question": "Can a refugee be returned to a country where his life would be threatened?"},
        timeout=60,
    )
    events = sse_events(streamed)
    done = events[-1][1]
    assert [n for n, _ in events][-1] == "done" and done["answered"] and done["lang"] == "en"
    assert any(c["doc_id"] == "refugee-convention-1951-en" and c["locator"].startswith("Article 33") for c in done["citations"]), done
    unknown = httpx.post(f"{server}/v1/ask", json={"question": "What is the recipe for a good couscous?"}, timeout=60).json()
    assert not unknown["answered"] and unknown["text"].startswith("The corpus does not cover this question")


@pytest.fixture
def shots(tmp_path) -> Path:
    folder = Path(os.environ.get("POLICYQA_SCREENSHOT_DIR") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


# Counts the answer's redraws while it is still marked busy: more than one means the text
# arrived in pieces and was shown as it came.
WATCH_STREAM = """() => {
  window.__redraws = 0;
  new MutationObserver((records) => {
    for (const r of records) {
      const answer = r.target.closest && r.target.closest('.answer');
      if (answer && answer.getAttribute('aria-busy') === 'true' && r.target.classList.contains('answer-text')) window.__redraws++;
    }
  }).observe(document.getElementById('log'), { childList: true, subtree: true });
}"""


def test_the_chat_page_in_chromium(server, shots):
    outside: list[str] = []
    problems: list[str] = []
    with _browser() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
        context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server)
        page = context.new_page()
        page.on("request", lambda r: outside.append(r.url) if not r.url.startswith((server, "data:")) else None)
        # The one refused question below (an unknown document) is logged by chromium; nothing else may be.
        page.on(
            "console",
            lambda m: (
                problems.append(m.text)
                if m.type == "error" and not ("status of 404" in m.text and m.location.get("url", "").endswith("/v1/ask/stream"))
                else None
            ),
        )
        page.on("pageerror", lambda e: problems.append(str(e)))

        # Opened by a French browser: a French interface.
        page.goto(server + "/")
        page.wait_for_selector("#service-status.ok")
        assert page.get_attribute("html", "lang") == "fr"
        assert page.inner_text("#ask-button") == "Demander"
        # No model server runs: « Génératif » is offered disabled, with the reason in plain words.
        page.click("#filters summary")
        page.wait_for_selector("#mode-note:not([hidden])")
        assert page.locator("#mode option[value=llm]").is_disabled()
        assert "aucun modèle de langue ne tourne" in page.inner_text("#mode-note")
        page.click("#filters summary")

        page.evaluate(WATCH_STREAM)
        page.fill("#question", DETENTION_FR)
        page.keyboard.press("Enter")
        answer = page.locator(".turn").nth(0).locator(".answer")
        page.wait_for_selector(".turn >> nth=0 >> .answer[aria-busy=false]", timeout=60_000)
        assert page.evaluate("window.__redraws") >= 2, "the answer did not stream in"
        text = answer.locator(".answer-text").inner_text()
        assert text.startswith("Selon") and "[1]" in text
        page.screenshot(path=str(shots / "1-fr-answer.png"))

        # A citation marker opens the passage with the quoted span highlighted.
        marker = answer.locator("button.marker").first
        marker.click()
        page.wait_for_selector("#panel mark")
        panel = page.locator("#panel")
        assert panel.is_visible() and page.evaluate("document.activeElement.id") == "panel"
        marked = " ".join(panel.locator("mark").all_inner_texts())
        assert len(marked.split()) >= 8 and " ".join(marked.split())[:40] in " ".join(text.split())
        # The GCM is catalogued as the text layer of its PDF: it opens whole, not at a page.
        link = panel.locator(".panel-links a.open-original").get_attribute("href")
        assert link == "/v1/documents/gcm-en/file"
        assert "Objective 13" in httpx.get(server + link).text
        # The official address in the reader's language: the French page of A/RES/73/195.
        assert panel.locator(".panel-links a.official").get_attribute("href") == "https://undocs.org/fr/A/RES/73/195"
        page.screenshot(path=str(shots / "2-fr-citation-panel.png"))

        # Copy with references, and feedback.
        answer.locator("button.copy").click()
        page.wait_for_selector(".turn[data-copied]")
        copied = page.evaluate("document.querySelector('.turn').dataset.copied")
        # The references name the document and the provision as a French reader does.
        assert "[1] Pacte mondial (A/RES/73/195), Objectif 13" in copied
        answer.locator("button.rate[data-rating='1']").click()
        page.wait_for_selector(".turn >> nth=0 >> .action-status:has-text('Merci')")

        # The next provisions the answerer ranked are listed, not cited, and open in the panel.
        assert "non citées" in answer.locator(".nearby-title").inner_text()
        nearby = answer.locator("ul.nearby button")
        assert 1 <= nearby.count() <= 2
        label = nearby.first.inner_text()
        nearby.first.click()
        page.wait_for_function(
            "(label) => { const l = document.querySelector('#panel .locator strong');"
            " return l && document.querySelector('#panel .passage-text') && label.includes(l.textContent); }",
            arg=label,
        )
        marker.click()
        page.wait_for_selector("#panel mark")

        # A follow-up, read against the previous question.
        page.fill("#question", "et pour les enfants ?")
        page.keyboard.press("Enter")
        page.wait_for_selector(".turn >> nth=1 >> .answer[aria-busy=false]", timeout=60_000)
        assert "suite de la question précédente" in page.locator(".turn").nth(1).locator(".question").inner_text()

        # After a reload the conversation comes back, read with its token.
        page.reload()
        page.wait_for_selector(".turn >> nth=1 >> .answer-text")
        assert page.locator(".turn").count() == 2 and "suite de la question précédente" in page.locator(".turn").nth(1).inner_text()

        # An error card offers no copy or rating buttons (nothing to copy or rate).
        page.evaluate(
            "document.getElementById('filter-doc').append(new Option('gone', 'no-such-document'));"
            "document.getElementById('filter-doc').value = 'no-such-document';"
        )
        page.fill("#question", "Quels droits pour les enfants ?")
        page.keyboard.press("Enter")
        failed = page.locator(".turn").nth(2)
        failed.locator(".answer.failed").wait_for()
        assert "document inconnu" in failed.inner_text() and not failed.locator(".answer-actions").is_visible()
        assert not failed.locator("button.copy").is_visible()
        # The refused filter did not cost the conversation: it is still the same one, token and all.
        assert page.evaluate("sessionStorage.getItem('policyqa.conversationToken')")
        assert page.locator(".turn").count() == 3
        page.evaluate(
            "const f = document.getElementById('filter-doc'); f.value = ''; f.querySelector('[value=no-such-document]').remove();"
        )
        marker = page.locator(".turn").nth(0).locator("button.marker").first
        marker.click()
        page.wait_for_selector("#panel mark")

        # Switching to English redraws the interface and the open source panel.
        page.click("#switch-lang")
        assert page.get_attribute("html", "lang") == "en" and page.inner_text("#ask-button") == "Ask"
        assert "The quoted span is highlighted." in panel.inner_text()
        page.keyboard.press("Escape")
        assert panel.is_hidden()
        page.fill("#question", "What is the recipe for a good couscous?")
        page.keyboard.press("Enter")
        page.wait_for_selector(".turn >> nth=3 >> .answer[aria-busy=false]", timeout=60_000)
        uncovered = page.locator(".turn").nth(3).locator(".answer")
        assert "not-covered" in uncovered.get_attribute("class")
        assert "Not covered by the corpus" in uncovered.inner_text()
        uncovered.scroll_into_view_if_needed()
        page.screenshot(path=str(shots / "3-en-interface-not-covered.png"))

        # On a phone: the source panel covers the screen and closes back to its marker.
        phone = browser.new_context(locale="en-GB", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
        mobile = phone.new_page()
        mobile.on("request", lambda r: outside.append(r.url) if not r.url.startswith((server, "data:")) else None)
        mobile.goto(server + "/")
        mobile.wait_for_selector("#service-status.ok")
        assert mobile.inner_text("#ask-button") == "Ask"
        mobile.fill("#question", "Which GCM objective deals with immigration detention?")
        mobile.keyboard.press("Enter")
        mobile.wait_for_selector(".answer[aria-busy=false]", timeout=60_000)
        mobile.screenshot(path=str(shots / "4-phone-answer.png"))
        # On a touch screen the first tap previews the source; the preview's button opens it.
        mobile.locator("button.marker").first.tap()
        mobile.locator(".preview-open").tap()
        mobile.wait_for_selector("#panel mark")
        box = mobile.locator("#panel").bounding_box()
        assert box["width"] >= 380 and box["height"] >= 800
        mobile.screenshot(path=str(shots / "5-phone-source.png"))
        mobile.locator("#panel-close").tap()
        assert mobile.evaluate("document.activeElement.classList.contains('marker')")
        browser.close()
    assert not outside, f"the page reached outside the service: {outside}"
    assert not problems, problems
    assert {f.name for f in shots.glob("*.png")} >= {
        "1-fr-answer.png",
        "2-fr-citation-panel.png",
        "3-en-interface-not-covered.png",
        "4-phone-answer.png",
        "5-phone-source.png",
    }


def test_training_in_the_chat_page_practice_quiz_pack_and_session_record(server, shots, tmp_path):
    from playwright.sync_api import expect
    from pypdf import PdfReader

    outside: list[str] = []
    problems: list[str] = []
    with _browser() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900}, accept_downloads=True)
        page = context.new_page()
        page.on("request", lambda r: outside.append(r.url) if not r.url.startswith((server, "data:", "blob:")) else None)
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.goto(server + "/")
        page.wait_for_selector("#service-status.ok")
        page.click("#toggle-training")
        assert page.get_attribute("#toggle-training", "aria-expanded") == "true"

        # Practice mode: every question scored, its source opened from the corpus.
        page.fill("#quiz-topic", "trafficking and smuggling")
        page.select_option("#quiz-count", "5")
        page.click("#quiz-form button[type=submit]")
        page.wait_for_selector("#quiz .quiz-question", timeout=60_000)
        total = int(page.inner_text("#quiz .quiz-progress").split(" of ")[1].split(" ")[0])
        assert 1 <= total <= 5
        right = 0
        for n in range(total):
            page.locator("#quiz button.choice").first.click()
            feedback = page.locator("#quiz .quiz-feedback")
            right += "Correct." in feedback.inner_text()
            if n == 0:
                page.screenshot(path=str(shots / "6-en-practice-quiz.png"))
                page.click("#quiz button.quiz-source")
                page.wait_for_selector("#panel .passage-text")
                assert page.locator("#panel mark").count() >= 1
                page.keyboard.press("Escape")
            page.click("#quiz button.next")
        assert page.inner_text("#quiz .quiz-final") == f"Quiz finished: {right} of {total}."

        # A topic pack, downloaded as PDF, whose quotes are the corpus's own words.
        page.fill("#pack-topic", "migrant children")
        with page.expect_download(timeout=120_000) as info:
            page.click("#pack-form button[data-format=pdf]")
        pack = tmp_path / info.value.suggested_filename
        info.value.save_as(pack)
        assert pack.name == "policyqa-pack-migrant-children.pdf"
        text = " ".join(page_.extract_text() for page_ in PdfReader(pack).pages)
        assert "Key provisions" in text or "provisions" in text.lower(), text[:500]
        # A topic the texts do not treat is told in the page, in plain words, with no download.
        downloads: list = []

        def seen(download) -> None:
            downloads.append(download)

        page.on("download", seen)
        page.fill("#pack-topic", "cryptocurrency taxation of football transfers")
        page.click("#pack-form button[data-format=pdf]")
        expect(page.locator("#pack-status")).to_contain_text("do not deal with", timeout=120_000)
        status = page.inner_text("#pack-status")
        assert "there is no pack to download" in status and "similarity" not in status and not downloads
        page.remove_listener("download", seen)

        # The session record of a conversation.
        page.fill("#question", "Can a refugee be returned to a country where his life would be threatened?")
        page.keyboard.press("Enter")
        page.wait_for_selector(".answer[aria-busy=false]", timeout=60_000)
        with page.expect_download(timeout=60_000) as info:
            page.click("#export-session")
        record = tmp_path / "record.pdf"
        info.value.save_as(record)
        record_text = " ".join(page_.extract_text() for page_ in PdfReader(record).pages)
        assert "Article 33" in record_text and "returned" in record_text
        browser.close()
    assert not outside, outside
    assert not problems, problems
