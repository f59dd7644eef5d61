"""Comparing resolution versions end to end: the real PDFs, the real model's index, the
comparison against the hand-checked alignments in eval/comparisons/, the command, the
question flow in French and English, and GET /v1/compare on a real server."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import httpx
import pytest
from conftest import REPO
from service_helpers import CHROMIUM, CHROMIUM_ARGS, browser, build_subset_index, free_port, serve_api, stop

from policyqa.answer.extractive import ExtractiveAnswerer
from policyqa.compare.versions import CannotCompare, compare
from policyqa.index.query_encoder import QueryEncoder
from policyqa.index.store import load_index
from policyqa.retrieve.retriever import Retriever

pytestmark = pytest.mark.model
PAIRS = {
    "protection-of-migrants": ("a-res-78-217-en", "a-res-80-218-en"),
    "violence-against-women-migrant-workers": ("a-res-78-180-en", "a-res-80-185-en"),
    "coordination-against-trafficking": ("a-res-78-228-en", "a-res-80-228-en"),
}


@pytest.fixture(scope="module")
def index_root(tmp_path_factory, default_embedder):
    return build_subset_index([d for pair in PAIRS.values() for d in pair] + ["gcm-en"], tmp_path_factory.mktemp("index"), default_embedder)


@pytest.fixture(scope="module")
def index(index_root, default_embedder):
    return load_index(index_root, default_embedder.fingerprint, default_embedder.dimension)


def _expected(name: str) -> set[tuple[str, str]]:
    rows = [json.loads(line) for line in (REPO / "eval" / "comparisons" / f"{name}.expected.jsonl").read_text().splitlines() if line]
    return {(r["old"], r["new"]) for r in rows if r["old"] and r["new"]}


@pytest.mark.parametrize("name", sorted(PAIRS))
def test_paragraph_pairs_match_the_hand_checked_alignment(index, name, capsys):
    comparison = compare(index, *PAIRS[name])
    got = {(p.old.key, p.new.key) for p in comparison.pairs if p.old and p.new}
    expected = _expected(name)
    precision, recall = len(got & expected) / len(got), len(got & expected) / len(expected)
    with capsys.disabled():
        print(f"\n  {name}: {len(expected)} hand-checked pairs, precision {precision:.3f}, recall {recall:.3f}, {comparison.counts()}")
    assert precision >= 0.95 and recall >= 0.95, (sorted(got - expected), sorted(expected - got))
    # Every paragraph of both versions is accounted for exactly once.
    olds = [p.old.key for p in comparison.pairs if p.old]
    news = [p.new.key for p in comparison.pairs if p.new]
    assert len(olds) == len(set(olds)) and len(news) == len(set(news))


def test_symbols_either_order_and_refusals(index):
    forward = compare(index, "A/RES/80/218", "A/RES/78/217")  # the earlier one is always the old version
    assert (forward.old.id, forward.new.id) == ("a-res-78-217-en", "a-res-80-218-en")
    for old, new, code in (
        ("A/RES/78/217", "A/RES/78/180", "not_versions"),
        ("A/RES/78/217", "a-res-78-217-en", "same_document"),
        ("A/RES/99/1", "A/RES/78/217", "unknown_document"),
    ):
        with pytest.raises(CannotCompare) as caught:
            compare(index, old, new)
        assert caught.value.code == code, (old, new)


@pytest.fixture(scope="module")
def answerer(index, default_embedder):
    return ExtractiveAnswerer(Retriever(index, QueryEncoder(default_embedder)))


def test_a_french_question_on_what_changed_is_answered_from_the_comparison(answerer, index):
    answer = answerer.answer("Qu'est-ce qui a changé entre les résolutions de 2023 et 2025 sur la protection des migrants ?")
    assert answer.answered and answer.lang == "fr"
    assert answer.text.startswith("Entre A/RES/78/217 (2023) et A/RES/80/218 (2025) :"), answer.text[:200]
    assert "Ajouté en 2025, paragraphe 23 du dispositif" in answer.text and "Modifié, paragraphe " in answer.text
    for citation in answer.citations:
        passage = index.passages[index.row_of[citation.passage_id]]
        assert citation.doc_id in ("a-res-78-217-en", "a-res-80-218-en")
        # Verbatim: every piece of the quote between its ellipses is in the cited passage.
        pieces = [" ".join(part.split()) for part in citation.quote.split("…") if part.strip()]
        assert pieces and all(piece in " ".join(passage.text.split()) for piece in pieces), citation


def test_an_english_question_on_the_trafficking_resolutions(answerer):
    answer = answerer.answer("What is new in the 2025 resolution on coordination against trafficking in persons compared with 2023?")
    assert answer.answered and answer.text.startswith("Between A/RES/78/228 (2023) and A/RES/80/228 (2025):"), answer.text[:200]
    # A question on one version only is answered from its passages as before.
    single = answerer.answer("What does the 2025 resolution on the protection of migrants say about the detention of children?")
    assert not single.text.startswith("Between")


def test_the_command_and_the_http_route(index_root, tmp_path):
    env = {**os.environ, "POLICYQA_INDEX_DIR": str(index_root), "POLICYQA_DB": str(tmp_path / "db.sqlite3"), "POLICYQA_RATE_LIMIT": "off"}
    shown = subprocess.run(
        [sys.executable, "-m", "policyqa.cli", "compare", "A/RES/78/180", "A/RES/80/185"], env=env, capture_output=True, text=True
    )
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.startswith("A/RES/78/180 (2023) → A/RES/80/185 (2025):") and "ADDED  A/RES/80/185, op. 23" in shown.stdout
    data = json.loads(
        subprocess.run(
            [sys.executable, "-m", "policyqa.cli", "compare", "A/RES/78/180", "A/RES/80/185", "--json"],
            env=env,
            capture_output=True,
            text=True,
        ).stdout
    )
    assert data["counts"]["added"] >= 1 and all(p["status"] != "unchanged" or p["moved"] for p in data["pairs"])
    refused = subprocess.run(
        [sys.executable, "-m", "policyqa.cli", "compare", "A/RES/78/217", "A/RES/78/180"], env=env, capture_output=True, text=True
    )
    assert refused.returncode == 2 and "not versions of one text" in refused.stdout + refused.stderr
    port = free_port()
    proc = serve_api(env, port, tmp_path / "server.log", probe="/v1/ready", timeout=300)
    try:
        base = f"http://127.0.0.1:{port}/v1/compare"
        r = httpx.get(base, params={"old": "A/RES/78/228", "new": "A/RES/80/228", "all": "true"}, timeout=60)
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["old"]["symbol"] == "A/RES/78/228" and sum(body["counts"].values()) - body["counts"]["moved"] == len(body["pairs"])
        amended = next(p for p in body["pairs"] if p["status"] == "amended")
        assert {d["op"] for d in amended["diff"]} >= {"equal"} and amended["old"]["passage_ids"]
        assert httpx.get(base, params={"old": "A/RES/99/1", "new": "A/RES/80/228"}).status_code == 404
        refused = httpx.get(base, params={"old": "A/RES/78/228", "new": "A/RES/78/217"}, headers={"Accept-Language": "fr"})
        assert refused.status_code == 422 and refused.json()["detail"].startswith("comparaison impossible")
        _the_chat_page_view(f"http://127.0.0.1:{port}", tmp_path)
    finally:
        stop(proc)


def _the_chat_page_view(base: str, tmp_path) -> None:
    """The chat page's comparison view in chromium: two versions picked, the changes listed
    with the words added and removed marked."""
    from playwright.sync_api import expect

    with browser() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        page = chromium.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900}).new_page()
        page.goto(base + "/")
        page.click("#toggle-training")
        expect(page.locator("#compare-old option")).to_have_count(6, timeout=60_000)
        page.select_option("#compare-old", "a-res-78-180-en")
        page.select_option("#compare-new", "a-res-80-185-en")
        page.click("#compare-form button")
        expect(page.locator("#comparison .compare-summary")).to_contain_text("A/RES/78/180 (2023) → A/RES/80/185 (2025)", timeout=60_000)
        assert "2 ajouté(s)" in page.inner_text("#comparison .compare-summary")
        added = page.locator("#comparison .change.added", has_text="A/RES/80/185, op. 23")
        assert added.count() == 1 and "Ajouté" in added.inner_text() and "deepfake" in added.inner_text()
        amended = page.locator("#comparison .change.amended").first
        assert amended.locator("ins").count() + amended.locator("del").count() >= 1
        page.screenshot(path=str(tmp_path / "compare.png"), full_page=False)
        chromium.close()
