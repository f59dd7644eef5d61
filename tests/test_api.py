"""The HTTP API, served by a real uvicorn process over a real index (hashing embedder, so it
is fast), exercised over HTTP."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from conftest import require_shared_corpus
from service_helpers import free_port, serve_api, sse_events, stop

CATALOG = """
[[document]]
id = "udhr-en"
title = "Universal Declaration of Human Rights"
short_title = "UDHR"
lang = "en"
family = "udhr"
parallel_group = "udhr"
path = "parallel/udhr-en.txt"

[[document]]
id = "udhr-fr"
title = "Déclaration universelle des droits de l’homme"
short_title = "DUDH"
lang = "fr"
family = "udhr"
parallel_group = "udhr"
path = "parallel/udhr-fr.txt"

[[document]]
id = "a-res-78-217-en"
title = "Protection of migrants"
short_title = "A/RES/78/217"
symbol = "A/RES/78/217"
lang = "en"
family = "unga-resolution"
path = "un/A_RES_78_217.pdf"

[[document]]
id = "not-here"
title = "A document that is catalogued but not shipped"
lang = "en"
family = "guidelines"
path = "nowhere/missing.pdf"
"""


API_KEY = "test-key-0123456789"
# UDHR Article 14's own words: covered even for the hashing embedder, so the model is asked.
COVERED = "Devant la persécution, toute personne a le droit de chercher asile et de bénéficier de l'asile en d'autres pays"


@pytest.fixture(scope="module")
def env(tmp_path_factory) -> dict:
    root = require_shared_corpus()
    tmp = tmp_path_factory.mktemp("api")
    (tmp / "catalog.toml").write_text(CATALOG, encoding="utf-8")
    env = {**os.environ, "POLICYQA_CATALOG": str(tmp / "catalog.toml"), "POLICYQA_CORPUS_ROOTS": str(root),
           "POLICYQA_LOCAL_CORPUS": str(tmp / "local"), "POLICYQA_INDEX_DIR": str(tmp / "index"),
           "POLICYQA_CACHE_DIR": str(tmp / "cache"), "POLICYQA_EMBEDDER": "hashing",
           "POLICYQA_DB": str(tmp / "conversations.sqlite3"), "POLICYQA_API_KEY": API_KEY,
           # Nothing listens there: the generative mode must fail with a clear 503.
           "POLICYQA_LLM_BASE_URL": f"http://127.0.0.1:{free_port()}/v1",
           "POLICYQA_CORS_ORIGINS": "https://portal.example.org"}
    subprocess.run([sys.executable, "-m", "policyqa.cli", "index", "build"], env=env, check=True, capture_output=True)
    return env


@pytest.fixture(scope="module")
def base(env):
    port = free_port()
    proc = serve_api(env, port, Path(env["POLICYQA_DB"]).parent / "server.log")
    yield f"http://127.0.0.1:{port}"
    stop(proc)


def test_health_ready_and_openapi(base):
    assert httpx.get(f"{base}/v1/health").json() == {"status": "ok"}
    ready = httpx.get(f"{base}/v1/ready").json()
    assert ready["status"] == "ready" and ready["passages"] > 60
    assert "/v1/search" in httpx.get(f"{base}/openapi.json").json()["paths"]


def test_search_returns_passages_with_their_other_language_version(base):
    r = httpx.get(f"{base}/v1/search", params={"q": "droit de chercher asile Article 14", "k": 3})
    assert r.status_code == 200
    data = r.json()
    assert data["lang"] == "fr" and data["supported_lang"] is True
    top = data["hits"][0]
    assert top["passage"]["doc_id"] == "udhr-fr" and top["passage"]["locator"] == "Article 14"
    assert top["other_versions"][0]["doc_id"] == "udhr-en"
    only = httpx.get(f"{base}/v1/search", params={"q": "migrants", "family": "unga-resolution"}).json()
    assert {h["passage"]["doc_id"] for h in only["hits"]} == {"a-res-78-217-en"}


def test_bad_requests_get_4xx_with_a_message_never_500(base):
    cases = [
        ({"q": ""}, 422), ({"q": "x" * 5000}, 422), ({"q": "asile", "k": 0}, 422), ({"q": "asile", "lang": "de"}, 422),
        ({"q": "asile", "doc": "nope"}, 400), ({"q": "asile", "family": "nope"}, 400), ({}, 422),
    ]
    for params, status in cases:
        r = httpx.get(f"{base}/v1/search", params=params)
        assert r.status_code == status, (params, r.text)
        assert r.json()["detail"], params
    assert httpx.get(f"{base}/v1/passages/0000").status_code == 404
    assert httpx.get(f"{base}/v1/documents/nope").status_code == 404
    big = httpx.post(f"{base}/v1/search", content=b"x" * 100_000)
    assert big.status_code in (405, 413)


def test_documents_and_their_files(base):
    docs = {d["id"]: d for d in httpx.get(f"{base}/v1/documents").json()}
    assert docs["udhr-fr"]["available"] and docs["udhr-fr"]["indexed_passages"] == 31
    assert not docs["not-here"]["available"] and docs["not-here"]["file_url"] is None
    pdf = httpx.get(f"{base}{docs['a-res-78-217-en']['file_url']}")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf" and pdf.content[:4] == b"%PDF"
    assert httpx.get(f"{base}/v1/documents/not-here/file").status_code == 404
    # No route reaches the server's file system outside the catalogue.
    for probe in ("/v1/documents/..%2F..%2Fetc%2Fpasswd/file", "/v1/documents/%2Fetc%2Fpasswd/file"):
        assert httpx.get(f"{base}{probe}").status_code == 404


def test_passage_detail_has_neighbours_and_the_other_version(base):
    hit = httpx.get(f"{base}/v1/search", params={"q": "Article 14 asylum", "lang": "en", "k": 1}).json()["hits"][0]
    detail = httpx.get(f"{base}/v1/passages/{hit['passage']['id']}").json()
    assert detail["passage"]["locator"] == "Article 14"
    assert detail["previous"]["locator"] == "Article 13" and detail["next"]["locator"] == "Article 15"
    assert detail["other_versions"][0]["lang"] == "fr"
    assert detail["document"]["id"] == "udhr-en"


def test_metrics_are_exposed(base):
    httpx.get(f"{base}/v1/health")
    text = httpx.get(f"{base}/metrics/").text
    assert "policyqa_requests_total" in text


def test_without_an_index_the_service_starts_and_says_it_is_not_ready(env, tmp_path):
    port = free_port()
    proc = serve_api({**env, "POLICYQA_INDEX_DIR": str(tmp_path / "empty")}, port, tmp_path / "server.log")
    try:
        ready = httpx.get(f"http://127.0.0.1:{port}/v1/ready")
        assert ready.status_code == 503 and "policyqa index build" in ready.json()["detail"]
        search = httpx.get(f"http://127.0.0.1:{port}/v1/search", params={"q": "asile"})
        assert search.status_code == 503 and "policyqa index build" in search.json()["detail"]
        for route in ("/v1/ask", "/v1/ask/stream"):
            asked = httpx.post(f"http://127.0.0.1:{port}{route}", json={"question": "Quels droits pour les demandeurs d'asile ?"})
            assert asked.status_code == 503 and asked.json()["detail"].startswith("le service n’est pas prêt"), asked.text
        assert httpx.get(f"http://127.0.0.1:{port}/v1/documents").status_code == 200
        assert httpx.get(f"http://127.0.0.1:{port}/").status_code == 200  # the page loads and says it is not ready
        assert httpx.get(f"http://127.0.0.1:{port}/v1/index").json()["ready"] is False
    finally:
        stop(proc)


def test_ask_answers_with_resolved_citations_and_rejects_bad_bodies(base):
    r = httpx.post(f"{base}/v1/ask", json={"question": "Devant la persécution, toute personne a le droit de chercher asile"})
    assert r.status_code == 200, r.text
    data = r.json()
    assert data["lang"] == "fr" and data["mode"] == "extractive"
    if data["answered"]:
        assert data["citations"] and all(f"{c['marker']}" in data["text"] for c in data["citations"])
    else:
        assert data["text"].startswith("Le corpus ne couvre pas")
    for body, status in [({"question": ""}, 422), ({"question": "   "}, 422), ({"question": "x" * 5000}, 422), ({}, 422),
                         ({"question": "asile", "lang": "de"}, 422), ({"question": "asile", "mode": "oracle"}, 422),
                         ({"question": "asile", "questoin": "typo"}, 422), ({"question": ["a", "b"]}, 422),
                         ({"question": "asile", "doc": ["nope"]}, 400), ({"question": "asile", "family": ["nope"]}, 400),
                         ({"question": "asile", "conversation_id": "0" * 32}, 404),
                         ({"question": COVERED, "mode": "llm"}, 503)]:
        for route in ("/v1/ask", "/v1/ask/stream"):
            bad = httpx.post(f"{base}{route}", json=body)
            assert bad.status_code == status, (route, body, bad.text)
            assert bad.headers["content-type"] == "application/json" and bad.json()["detail"], (route, body)
    malformed = httpx.post(f"{base}/v1/ask", content=b"{not json", headers={"content-type": "application/json"})
    assert malformed.status_code == 400 and "JSON" in malformed.json()["detail"]
    assert "policyqa llm serve" in httpx.post(f"{base}/v1/ask", json={"question": COVERED, "mode": "llm"}).json()["detail"]


def test_errors_speak_the_askers_language(base):
    fr = httpx.post(f"{base}/v1/ask", json={"question": "asile", "doc": ["nope"]}, headers={"Accept-Language": "fr-FR,fr;q=0.9"})
    assert fr.status_code == 400 and fr.json()["detail"].startswith("document inconnu « nope »")
    en = httpx.post(f"{base}/v1/ask", json={"question": "asylum", "doc": ["nope"]}, headers={"Accept-Language": "en-GB"})
    assert en.json()["detail"].startswith("unknown document 'nope'")
    # Known from the question itself once the conversation is read.
    stale = httpx.post(f"{base}/v1/ask", json={"question": "Quels droits pour les réfugiés ?", "lang": "fr",
                                               "conversation_id": "f" * 32})
    assert stale.status_code == 404 and stale.json()["detail"].startswith("aucune conversation")


def test_stream_sends_start_text_citations_and_the_final_answer(base):
    r = httpx.post(f"{base}/v1/ask/stream", json={"question": "Toute personne a le droit de chercher asile en d'autres pays"},
                   timeout=30)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
    events = sse_events(r)
    names = [name for name, _ in events]
    assert names[0] == "start" and names[-2:] == ["citations", "done"] and names.count("delta") >= 2, names
    done = events[-1][1]
    streamed = "".join(data["text"] for name, data in events if name == "delta")
    assert streamed == done["text"]
    assert done["conversation_id"] == events[0][1]["conversation_id"] and done["answer_id"]
    assert events[-2][1]["citations"] == done["citations"]


def test_a_follow_up_is_read_against_the_previous_turn_and_the_conversation_is_kept(base):
    first = httpx.post(f"{base}/v1/ask", json={"question": "Quels sont les droits des migrants selon la résolution sur la protection des migrants ?"}).json()
    conversation = first["conversation_id"]
    follow = httpx.post(f"{base}/v1/ask", json={"question": "et pour les enfants ?", "conversation_id": conversation}).json()
    assert follow["follow_up"] is True and follow["lang"] == "fr"
    assert follow["query"].startswith("Quels sont les droits des migrants") and follow["query"].endswith("et pour les enfants ?")
    # A failed request on the conversation loses nothing.
    assert httpx.post(f"{base}/v1/ask", json={"question": "", "conversation_id": conversation}).status_code == 422
    kept = httpx.get(f"{base}/v1/conversations/{conversation}").json()
    assert [t["question"] for t in kept["turns"]] == [
        "Quels sont les droits des migrants selon la résolution sur la protection des migrants ?", "et pour les enfants ?"]
    assert kept["turns"][1]["answer"]["text"] == follow["text"]
    assert httpx.get(f"{base}/v1/conversations/nope").status_code == 404


def test_feedback_is_stored_and_checked(base):
    answer = httpx.post(f"{base}/v1/ask", json={"question": "asylum from persecution"}).json()
    r = httpx.post(f"{base}/v1/feedback", json={"answer_id": answer["answer_id"], "rating": -1, "comment": "cite Art. 14"})
    assert r.status_code == 201 and r.json()["rating"] == -1 and r.json()["comment"] == "cite Art. 14"
    for body, status in [({"answer_id": "nope", "rating": 1}, 404), ({"answer_id": answer["answer_id"], "rating": 5}, 422),
                         ({"answer_id": answer["answer_id"]}, 422),
                         ({"answer_id": answer["answer_id"], "rating": 1, "comment": "x" * 5000}, 422)]:
        bad = httpx.post(f"{base}/v1/feedback", json=body)
        assert bad.status_code == status, (body, bad.text)


def test_index_changes_need_the_api_key(base):
    status = httpx.get(f"{base}/v1/index").json()
    assert status["ready"] and not status["building"] and status["passages"] > 60
    assert httpx.post(f"{base}/v1/index/reload").status_code == 401
    assert httpx.post(f"{base}/v1/index/reload", headers={"X-API-Key": "wrong"}).status_code == 401
    reloaded = httpx.post(f"{base}/v1/index/reload", headers={"X-API-Key": API_KEY})
    assert reloaded.status_code == 200 and reloaded.json()["build_id"] == status["build_id"]


def test_rebuild_keeps_serving_the_previous_index_until_the_new_one_is_in(base):
    started = httpx.post(f"{base}/v1/index/rebuild", headers={"X-API-Key": API_KEY})
    assert started.status_code == 202 and started.json()["building"] is True
    # Questions are still answered from the previous index meanwhile.
    assert httpx.get(f"{base}/v1/search", params={"q": "asile"}).status_code == 200
    deadline = time.time() + 120
    while (status := httpx.get(f"{base}/v1/index").json())["building"] and time.time() < deadline:
        time.sleep(0.5)
    assert not status["building"] and status["last_build"].startswith("built "), status
    assert status["ready"] and status["passages"] > 60


def test_cors_allows_only_the_configured_origin(base):
    allowed = httpx.options(f"{base}/v1/search", headers={"Origin": "https://portal.example.org",
                                                          "Access-Control-Request-Method": "GET"})
    assert allowed.headers.get("access-control-allow-origin") == "https://portal.example.org"
    other = httpx.get(f"{base}/v1/health", headers={"Origin": "https://elsewhere.example.com"})
    assert "access-control-allow-origin" not in other.headers


def test_the_chat_page_and_its_assets_are_served_locally(base):
    page = httpx.get(f"{base}/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "default-src 'self'" in page.headers["content-security-policy"]
    import re

    assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert assets and all(a.startswith(("/static/", "#", "data:")) for a in assets), assets
    for asset in (a for a in assets if a.startswith("/static/")):
        assert httpx.get(f"{base}{asset}").status_code == 200, asset


def test_training_material_over_http(base):
    pack = httpx.post(f"{base}/v1/training/pack", json={"topic": "droit d'asile", "lang": "fr"}, timeout=60)
    assert pack.status_code == 200, pack.text
    data = pack.json()
    assert data["lang"] == "fr" and isinstance(data["covered"], bool) and data["markdown"].startswith("#")
    pdf = httpx.post(f"{base}/v1/training/pack", json={"topic": "droit d'asile", "lang": "fr", "format": "pdf"}, timeout=60)
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content[:4] == b"%PDF"
    assert 'filename="policyqa-pack-droit-d-asile.pdf"' in pdf.headers["content-disposition"]
    quiz = httpx.post(f"{base}/v1/training/quiz", json={"topic": "asylum", "lang": "en", "count": 3, "answers": False}, timeout=60)
    assert quiz.status_code == 200 and quiz.json()["answers"] is False
    assert all("answer" not in item for item in quiz.json()["items"])
    for route, body, status in [("pack", {"topic": " "}, 422), ("pack", {"topic": "asile", "doc": ["nope"]}, 400),
                                ("pack", {"topic": "asile", "lang": "de"}, 422), ("quiz", {"topic": "asile", "count": 0}, 422),
                                ("quiz", {"topic": "asile", "format": "docx"}, 422)]:
        bad = httpx.post(f"{base}/v1/training/{route}", json=body)
        assert bad.status_code == status, (route, body, bad.text)
    asked = httpx.post(f"{base}/v1/ask", json={"question": COVERED}).json()
    record = httpx.get(f"{base}/v1/training/transcript/{asked['conversation_id']}", params={"format": "markdown", "lang": "fr"})
    assert record.status_code == 200 and COVERED in record.text
    assert httpx.get(f"{base}/v1/training/transcript/{asked['conversation_id']}").content[:4] == b"%PDF"
    assert httpx.get(f"{base}/v1/training/transcript/nope").status_code == 404


def test_the_openapi_document_describes_errors_and_files_as_they_are(base):
    spec = httpx.get(f"{base}/openapi.json").json()
    ask = spec["paths"]["/v1/ask"]["post"]["responses"]
    assert ask["422"]["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorOut")
    assert {"400", "404", "503"} <= set(ask)
    assert "application/pdf" in spec["paths"]["/v1/training/pack"]["post"]["responses"]["200"]["content"]
    wrong_method = httpx.request("TRACE", f"{base}/v1/health")
    assert wrong_method.status_code == 405 and wrong_method.headers["allow"] == "GET"
    # A form's empty "all" option is no filter, not a document named "".
    assert httpx.get(f"{base}/v1/search", params={"q": "asile", "doc": "", "family": ""}).status_code == 200
    assert httpx.post(f"{base}/v1/ask", json={"question": COVERED, "doc": [""], "family": [""]}).status_code == 200
    assert httpx.post(f"{base}/v1/training/quiz", json={"topic": "asile", "answers": 0}).status_code == 422
