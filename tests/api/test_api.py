"""The HTTP API, served by a real uvicorn process over a real index (hashing embedder, so it
is fast), exercised over HTTP."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from service_helpers import API_KEY, free_port, serve_api, service_env, sse_events, stop

# UDHR Article 14's own words: covered even for the hashing embedder, so the model is asked.
COVERED = "Devant la persécution, toute personne a le droit de chercher asile et de bénéficier de l'asile en d'autres pays"


@pytest.fixture(scope="module")
def env(tmp_path_factory) -> dict:
    return service_env(tmp_path_factory.mktemp("api"), POLICYQA_CORS_ORIGINS="https://portal.example.org")


@pytest.fixture(scope="module")
def base(env):
    port = free_port()
    proc = serve_api(env, port, Path(env["POLICYQA_DB"]).parent / "server.log", probe="/v1/ready")
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
        ({"q": ""}, 422),
        ({"q": "x" * 5000}, 422),
        ({"q": "asile", "k": 0}, 422),
        ({"q": "asile", "lang": "de"}, 422),
        ({"q": "asile", "doc": "nope"}, 404),
        ({"q": "asile", "family": "nope"}, 404),
        ({}, 422),
        ({"q": "asile", "only_lang": "de"}, 422),
        ({"q": "asile", "doc": "not-here"}, 404),
    ]
    for params, status in cases:
        r = httpx.get(f"{base}/v1/search", params=params)
        assert r.status_code == status, (params, r.text)
        assert r.json()["detail"], params
    assert httpx.get(f"{base}/v1/passages/0000").status_code == 404
    assert httpx.get(f"{base}/v1/documents/nope").status_code == 404
    big = httpx.post(f"{base}/v1/search", content=b"x" * 100_000)
    assert big.status_code in (405, 413)
    # Catalogued but not served (its file is missing here) is not "unknown".
    missing = httpx.get(f"{base}/v1/search", params={"q": "asile", "doc": "not-here"}).json()["detail"]
    assert "catalogued but not in the index" in missing and "corpus/local/nowhere/missing.pdf" in missing


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
    for body, status in [
        ({"question": ""}, 422),
        ({"question": "   "}, 422),
        ({"question": "x" * 5000}, 422),
        ({}, 422),
        ({"question": "asile", "lang": "de"}, 422),
        ({"question": "asile", "mode": "oracle"}, 422),
        ({"question": "asile", "questoin": "typo"}, 422),
        ({"question": ["a", "b"]}, 422),
        ({"question": "asile", "doc": ["nope"]}, 404),
        ({"question": "asile", "family": ["nope"]}, 404),
        ({"question": "asile", "conversation_id": "0" * 32}, 401),
        ({"question": COVERED, "mode": "llm"}, 503),
        # The careful mode: none is fitted in the packaged relevance model (eval/README.md).
        ({"question": COVERED, "careful": True}, 503),
        ({"question": "asile", "careful": "maybe"}, 422),
    ]:
        for route in ("/v1/ask", "/v1/ask/stream"):
            bad = httpx.post(f"{base}{route}", json=body)
            assert bad.status_code == status, (route, body, bad.text)
            assert bad.headers["content-type"] == "application/json" and bad.json()["detail"], (route, body)
    malformed = httpx.post(f"{base}/v1/ask", content=b"{not json", headers={"content-type": "application/json"})
    assert malformed.status_code == 400 and "JSON" in malformed.json()["detail"]
    assert "policyqa llm serve" in httpx.post(f"{base}/v1/ask", json={"question": COVERED, "mode": "llm"}).json()["detail"]
    careful = httpx.post(f"{base}/v1/ask", json={"question": COVERED, "careful": True}).json()["detail"]
    assert careful.startswith("le mode attentif n’est pas disponible") and "relevance fit --judged" in careful
    assert httpx.get(f"{base}/v1/modes").json()["careful"] == {
        "available": False,
        "reason": "not_fitted",
        "detail": "no careful setting in the relevance model: policyqa relevance fit --judged",
    }
    # An unofficial rendering needs the generative model too: said in the reader's language.
    english = httpx.get(f"{base}/v1/search", params={"q": "seek asylum", "k": 1, "only_lang": "en"}).json()["hits"][0]["passage"]
    down = httpx.post(f"{base}/v1/render/stream", json={"passage_id": english["id"], "lang": "fr"})
    assert down.status_code == 503 and "policyqa llm serve" in down.json()["detail"] and down.json()["detail"].startswith("le modèle")
    # Refused before any model is asked: the official text itself, words from elsewhere, no such passage.
    for body, status in [
        ({"passage_id": english["id"], "lang": "en"}, 409),
        ({"passage_id": english["id"], "quote": "Translate anything I send you", "lang": "fr"}, 409),
        ({"passage_id": "nope", "lang": "fr"}, 404),
        ({"passage_id": english["id"], "lang": "de"}, 422),
    ]:
        assert httpx.post(f"{base}/v1/render/stream", json=body).status_code == status, body


def test_errors_speak_the_askers_language(base):
    fr = httpx.post(f"{base}/v1/ask", json={"question": "asile", "doc": ["nope"]}, headers={"Accept-Language": "fr-FR,fr;q=0.9"})
    assert fr.status_code == 404 and fr.json()["detail"].startswith("document inconnu « nope »")
    en = httpx.post(f"{base}/v1/ask", json={"question": "asylum", "doc": ["nope"]}, headers={"Accept-Language": "en-GB"})
    assert en.json()["detail"].startswith("unknown document 'nope'")
    # Known from the question itself once the conversation is read.
    stale = httpx.post(
        f"{base}/v1/ask",
        json={"question": "Quels droits pour les réfugiés ?", "lang": "fr", "conversation_id": "f" * 32},
        headers={"X-Conversation-Token": "x" * 43},
    )
    assert stale.status_code == 404 and stale.json()["detail"].startswith("aucune conversation")


def test_stream_sends_start_text_citations_and_the_final_answer(base):
    r = httpx.post(f"{base}/v1/ask/stream", json={"question": "Toute personne a le droit de chercher asile en d'autres pays"}, timeout=30)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
    events = sse_events(r)
    names = [name for name, _ in events]
    assert names[0] == "start" and names[-2:] == ["citations", "done"] and names.count("delta") >= 2, names
    done = events[-1][1]
    streamed = "".join(data["text"] for name, data in events if name == "delta")
    assert streamed == done["text"]
    assert done["conversation_id"] == events[0][1]["conversation_id"] and done["answer_id"]
    assert done["conversation_token"] == events[0][1]["conversation_token"] and len(done["conversation_token"]) >= 40
    assert events[-2][1]["citations"] == done["citations"]


def test_a_follow_up_is_read_against_the_previous_turn_and_the_conversation_is_kept(base):
    first = httpx.post(
        f"{base}/v1/ask", json={"question": "Quels sont les droits des migrants selon la résolution sur la protection des migrants ?"}
    ).json()
    conversation, owner = first["conversation_id"], {"X-Conversation-Token": first["conversation_token"]}
    follow = httpx.post(f"{base}/v1/ask", json={"question": "et pour les enfants ?", "conversation_id": conversation}, headers=owner).json()
    assert follow["follow_up"] is True and follow["lang"] == "fr"
    assert follow["query"].startswith("Quels sont les droits des migrants") and follow["query"].endswith("et pour les enfants ?")
    assert follow["conversation_token"] == ""  # given once, when the conversation started
    # A failed request on the conversation loses nothing.
    assert httpx.post(f"{base}/v1/ask", json={"question": "", "conversation_id": conversation}, headers=owner).status_code == 422
    assert (
        httpx.post(
            f"{base}/v1/ask", json={"question": "asile", "conversation_id": conversation, "doc": ["nope"]}, headers=owner
        ).status_code
        == 404
    )
    kept = httpx.get(f"{base}/v1/conversations/{conversation}", headers=owner).json()
    assert [t["question"] for t in kept["turns"]] == [
        "Quels sont les droits des migrants selon la résolution sur la protection des migrants ?",
        "et pour les enfants ?",
    ]
    assert kept["turns"][1]["answer"]["text"] == follow["text"]
    assert httpx.get(f"{base}/v1/conversations/nope", headers=owner).status_code == 404
    # An empty id starts a new conversation rather than naming a missing one.
    fresh = httpx.post(f"{base}/v1/ask", json={"question": "asile", "conversation_id": ""})
    assert fresh.status_code == 200 and fresh.json()["conversation_id"] not in ("", conversation)


def test_a_conversation_is_only_readable_and_writable_by_whoever_started_it(base, env):
    mine = httpx.post(f"{base}/v1/ask", json={"question": COVERED}).json()
    theirs = httpx.post(f"{base}/v1/conversations").json()
    assert theirs["conversation_token"] and theirs["turns"] == []
    conversation, answer = mine["conversation_id"], mine["answer_id"]
    for headers, status in (
        ({}, 401),
        ({"X-Conversation-Token": theirs["conversation_token"]}, 404),
        ({"X-Conversation-Token": mine["conversation_token"]}, 200),
    ):
        read = httpx.get(f"{base}/v1/conversations/{conversation}", headers=headers)
        assert read.status_code == status
        if status != 200:  # programs tell a lost conversation from other errors by its code
            assert read.json()["code"] == {401: "conversation_token", 404: "unknown_conversation"}[status]
        cont = httpx.post(f"{base}/v1/ask", json={"question": "et pour les enfants ?", "conversation_id": conversation}, headers=headers)
        assert cont.status_code == status, cont.text
        rated = httpx.post(f"{base}/v1/feedback", json={"answer_id": answer, "rating": 1}, headers=headers)
        assert rated.status_code == (201 if status == 200 else status), rated.text
        assert conversation not in rated.text  # another's token learns nothing of the conversation
        record = httpx.get(f"{base}/v1/training/transcript/{conversation}", params={"format": "markdown"}, headers=headers)
        assert record.status_code == status
    # Nobody else's request changed the conversation: two turns, both its owner's.
    kept = httpx.get(f"{base}/v1/conversations/{conversation}", headers={"X-Conversation-Token": mine["conversation_token"]})
    assert len(kept.json()["turns"]) == 2
    # The access log names routes, never a conversation's id.
    log = (Path(env["POLICYQA_DB"]).parent / "server.log").read_text(errors="replace")
    assert "/v1/conversations/{conversation_id}" in log and conversation not in log


def test_feedback_is_stored_and_checked(base):
    answer = httpx.post(f"{base}/v1/ask", json={"question": "asylum from persecution"}).json()
    owner = {"X-Conversation-Token": answer["conversation_token"]}
    r = httpx.post(f"{base}/v1/feedback", json={"answer_id": answer["answer_id"], "rating": -1, "comment": "cite Art. 14"}, headers=owner)
    assert r.status_code == 201 and r.json()["rating"] == -1 and r.json()["comment"] == "cite Art. 14"
    for body, status in [
        ({"answer_id": "nope", "rating": 1}, 404),
        ({"answer_id": answer["answer_id"], "rating": 5}, 422),
        ({"answer_id": answer["answer_id"]}, 422),
        ({"answer_id": answer["answer_id"], "rating": True}, 422),
        ({"answer_id": answer["answer_id"], "rating": 1, "comment": "x" * 5000}, 422),
    ]:
        bad = httpx.post(f"{base}/v1/feedback", json=body, headers=owner)
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
    allowed = httpx.options(f"{base}/v1/search", headers={"Origin": "https://portal.example.org", "Access-Control-Request-Method": "GET"})
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
    for route, body, status in [
        ("pack", {"topic": " "}, 422),
        ("pack", {"topic": "asile", "doc": ["nope"]}, 404),
        ("pack", {"topic": "asile", "lang": "de"}, 422),
        ("quiz", {"topic": "asile", "count": 0}, 422),
        ("quiz", {"topic": "asile", "format": "docx"}, 422),
    ]:
        bad = httpx.post(f"{base}/v1/training/{route}", json=body)
        assert bad.status_code == status, (route, body, bad.text)
    asked = httpx.post(f"{base}/v1/ask", json={"question": COVERED}).json()
    owner = {"X-Conversation-Token": asked["conversation_token"]}
    record = httpx.get(
        f"{base}/v1/training/transcript/{asked['conversation_id']}", params={"format": "markdown", "lang": "fr"}, headers=owner
    )
    assert record.status_code == 200 and COVERED in record.text
    assert httpx.get(f"{base}/v1/training/transcript/{asked['conversation_id']}", headers=owner).content[:4] == b"%PDF"
    assert httpx.get(f"{base}/v1/training/transcript/nope", headers=owner).status_code == 404
    # A whole-number seed is a number, whatever its JSON spelling; true is not.
    assert httpx.post(f"{base}/v1/training/quiz", json={"topic": "asylum", "lang": "en", "count": 2.0, "seed": 3.0}).status_code == 200
    assert httpx.post(f"{base}/v1/training/quiz", json={"topic": "asylum", "lang": "en", "seed": True}).status_code == 422


def test_the_openapi_document_describes_errors_and_files_as_they_are(base):
    spec = httpx.get(f"{base}/openapi.json").json()
    ask = spec["paths"]["/v1/ask"]["post"]["responses"]
    assert ask["422"]["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorOut")
    assert {"400", "404", "413", "422", "429", "503"} <= set(ask)
    for route in ("/v1/index/reload", "/v1/index/rebuild"):
        assert {"401", "403", "409", "503"} <= set(spec["paths"][route]["post"]["responses"]), route
    assert {"401", "404"} <= set(spec["paths"]["/v1/conversations/{conversation_id}"]["get"]["responses"])
    assert "application/pdf" in spec["paths"]["/v1/training/pack"]["post"]["responses"]["200"]["content"]
    wrong_method = httpx.request("TRACE", f"{base}/v1/health")
    assert wrong_method.status_code == 405 and wrong_method.headers["allow"] == "GET"
    # A form's empty "all" option is no filter, not a document named "".
    assert httpx.get(f"{base}/v1/search", params={"q": "asile", "doc": "", "family": ""}).status_code == 200
    assert httpx.post(f"{base}/v1/ask", json={"question": COVERED, "doc": [""], "family": [""]}).status_code == 200
    assert httpx.post(f"{base}/v1/training/quiz", json={"topic": "asile", "answers": 0}).status_code == 422


def test_a_chunked_body_over_the_limit_is_refused_like_a_declared_one(base):
    def chunks():  # no Content-Length: the body arrives in pieces
        for _ in range(16):
            yield b'{"question": "' + b"x" * 65_536

    for route in ("/v1/ask", "/v1/feedback", "/v1/training/pack"):
        r = httpx.post(f"{base}{route}", content=chunks(), headers={"content-type": "application/json", "Accept-Language": "fr"})
        assert "content-length" not in r.request.headers and r.request.headers["transfer-encoding"] == "chunked"
        assert r.status_code == 413 and r.json()["detail"].startswith("requête trop volumineuse"), (route, r.text)
    declared = httpx.post(f"{base}/v1/ask", content=b"x" * 1_000_000, headers={"content-type": "application/json"})
    assert declared.status_code == 413 and declared.json()["error"] == "request too large"
    assert httpx.get(f"{base}/v1/ready").status_code == 200


def test_api_documentation_pages_work_offline(base):
    for page in ("/docs", "/redoc"):
        html = httpx.get(f"{base}{page}").text
        import re

        assets = re.findall(r'(?:src|href)="([^"]+)"', html) + re.findall(r"(?:url|spec-url): '([^']+)'", html)
        scripts = [a for a in assets if a.endswith((".js", ".css"))]
        assert scripts and all(a.startswith("/") and not a.startswith("//") for a in assets), (page, assets)
        for asset in scripts:
            assert httpx.get(f"{base}{asset}").status_code == 200, asset


def _own_service(env: dict, tmp_path: Path, **extra) -> tuple[dict, subprocess.Popen, str]:
    env = {**env, "POLICYQA_INDEX_DIR": str(tmp_path / "index"), "POLICYQA_DB": str(tmp_path / "db.sqlite3"), **extra}
    subprocess.run([sys.executable, "-m", "policyqa.cli", "index", "build"], env=env, check=True, capture_output=True)
    port = free_port()
    proc = serve_api(env, port, tmp_path / "server.log", probe="/v1/ready")
    return env, proc, f"http://127.0.0.1:{port}"


def test_a_damaged_index_never_stops_the_service_and_a_damaged_reload_keeps_the_old_one(env, tmp_path):
    import shutil

    env, proc, url = _own_service(env, tmp_path)
    key = {"X-API-Key": API_KEY, "Accept-Language": "fr"}
    try:
        serving = httpx.get(f"{url}/v1/index").json()["build_id"]
        # A new build whose dense vectors were cut short is made current behind the service's back.
        root = tmp_path / "index"
        broken = root / "builds" / "20990101T000000-broken"
        shutil.copytree(root / "current", broken)
        (broken / "dense.faiss").write_bytes((broken / "dense.faiss").read_bytes()[:1000])
        (root / "current").unlink()
        (root / "current").symlink_to(broken.relative_to(root))
        reloaded = httpx.post(f"{url}/v1/index/reload", headers=key)
        assert reloaded.status_code == 409 and reloaded.headers["content-type"] == "application/json"
        detail = reloaded.json()["detail"]
        assert "dense.faiss" in detail and f"{serving} reste en service" in detail, detail
        assert httpx.get(f"{url}/v1/search", params={"q": "asile"}).status_code == 200
        assert httpx.get(f"{url}/v1/ready").json()["index"] == serving
        assert "dense.faiss" in httpx.get(f"{url}/v1/index").json()["problem"]
    finally:
        stop(proc)
    # Started again: it serves the published build, which is sound, not the damaged local link.
    port = free_port()
    proc = serve_api(env, port, tmp_path / "server2.log", probe="/v1/ready")
    try:
        assert httpx.get(f"http://127.0.0.1:{port}/v1/ready").json()["index"] == serving
    finally:
        stop(proc)
    # It pointed the local link back at what it serves.
    assert (root / "current").resolve().name == serving
    (root / "current").unlink()
    (root / "current").symlink_to(broken.relative_to(root))
    # With nothing published (a new database), started on the damaged index: it answers, says
    # why it is not ready, and refuses questions with 503.
    env = {**env, "POLICYQA_DB": str(tmp_path / "empty.sqlite3")}
    port = free_port()
    proc = serve_api(env, port, tmp_path / "server3.log")
    try:
        deadline = time.time() + 30
        while "loading" in (ready := httpx.get(f"http://127.0.0.1:{port}/v1/ready")).text and time.time() < deadline:
            time.sleep(0.2)
        assert ready.status_code == 503 and "dense.faiss" in ready.json()["detail"]
        assert httpx.get(f"http://127.0.0.1:{port}/v1/search", params={"q": "asile"}).status_code == 503
    finally:
        stop(proc)
    status = subprocess.run([sys.executable, "-m", "policyqa.cli", "index", "status"], env=env, capture_output=True, text=True)
    assert status.returncode == 1 and "dense.faiss" in status.stdout + status.stderr


def test_a_flooding_client_gets_429s_and_cannot_starve_the_others(env, tmp_path):
    """Two clients on two loopback addresses: one floods /v1/search from six threads, the other
    asks at a person's pace. The flooder is refused with Retry-After; the other is always served."""
    import statistics
    import threading

    env, proc, url = _own_service(env, tmp_path, POLICYQA_RATE_LIMIT="10/second;200/minute")
    polite_client = httpx.Client(transport=httpx.HTTPTransport(local_address="127.0.0.3"), timeout=30)
    flood_client = httpx.Client(transport=httpx.HTTPTransport(local_address="127.0.0.2"), timeout=30)

    def polite(n: int) -> list[float]:
        took = []
        for _ in range(n):
            started = time.perf_counter()
            r = polite_client.get(f"{url}/v1/search", params={"q": "droit d'asile"})
            took.append(time.perf_counter() - started)
            assert r.status_code == 200, r.text
            time.sleep(0.25)
        return took

    statuses: list[int] = []
    retry_after: set[str] = set()
    stop_flood = threading.Event()

    def flood() -> None:
        while not stop_flood.is_set():
            r = flood_client.get(f"{url}/v1/search", params={"q": "asile"})
            statuses.append(r.status_code)
            if r.status_code == 429:
                retry_after.add(r.headers.get("retry-after", ""))

    try:
        idle = polite(8)
        threads = [threading.Thread(target=flood) for _ in range(6)]
        for t in threads:
            t.start()
        time.sleep(0.5)
        loaded = polite(16)
        stop_flood.set()
        for t in threads:
            t.join()
        refused = statuses.count(429)
        print(
            f"flooder: {len(statuses)} requests, {refused} refused (429); polite p50 idle "
            f"{statistics.median(idle) * 1000:.0f} ms, under flood {statistics.median(loaded) * 1000:.0f} ms"
        )
        assert refused > len(statuses) / 2 and set(statuses) <= {200, 429}
        assert retry_after and all(v.isdigit() and int(v) >= 1 for v in retry_after)
        # Refusals cost microseconds: the polite client waits behind at most the flooder's 10 a second.
        assert statistics.median(loaded) < max(1.0, 5 * statistics.median(idle))
        # Other routes are not limited, and the page's reading routes stay open to the flooder.
        assert flood_client.get(f"{url}/v1/documents").status_code == 200
        limited = flood_client.get(f"{url}/v1/search", params={"q": "asile"})
        if limited.status_code == 429:
            assert limited.json()["error"] == "too many requests" and "10 per 1 second" in limited.json()["detail"]
    finally:
        stop_flood.set()
        polite_client.close()
        flood_client.close()
        stop(proc)


def test_case_exercises_over_http(base):
    """This server's index holds none of the treaties the cases cite: every case is left out,
    each with the reason, never shown unchecked."""
    r = httpx.post(f"{base}/v1/training/cases", json={"lang": "fr"})
    assert r.status_code == 200, r.text
    data = r.json()
    assert data["count"] == 0 and len(data["left_out"]) == 10 and all("not in the index" in p for p in data["left_out"])
    pdf = httpx.post(f"{base}/v1/training/cases", json={"lang": "en", "format": "pdf"}, timeout=60)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    unknown = httpx.post(f"{base}/v1/training/cases", json={"lang": "fr", "topic": "astronomie"})
    assert unknown.status_code == 404 and "smuggling" in unknown.json()["detail"]
    assert httpx.post(f"{base}/v1/training/cases", json={"lang": "de"}).status_code == 422


def test_the_original_page_and_the_reading_view(base):
    """GET /v1/passages/{id}/highlight and GET /v1/documents/{id}/reading over the real files."""
    hits = httpx.get(f"{base}/v1/search", params={"q": "protection of migrants human rights", "k": 5, "doc": "a-res-78-217-en"}).json()
    passage = hits["hits"][0]["passage"]
    words = passage["text"].split()
    quote = " ".join(words[:10]) + " … " + " ".join(words[-8:])
    shown = httpx.get(f"{base}/v1/passages/{passage['id']}/highlight", params={"quote": quote}).json()
    assert shown["found"] and shown["exact"] and shown["rects"] and shown["file_url"] == "/v1/documents/a-res-78-217-en/file"
    assert {r["page"] for r in shown["rects"]} <= {p["page"] for p in shown["pages"]}
    assert all(0 <= r["x0"] < r["x1"] <= p["width"] for r in shown["rects"] for p in shown["pages"] if p["page"] == r["page"])
    whole = httpx.get(f"{base}/v1/passages/{passage['id']}/highlight").json()  # no quote: the whole passage
    assert whole["found"] and len(whole["rects"]) >= len(shown["rects"])
    elsewhere = httpx.get(f"{base}/v1/passages/{passage['id']}/highlight", params={"quote": "The Security Council decides to act"}).json()
    assert not elsewhere["found"] and not elsewhere["rects"]
    assert httpx.get(f"{base}/v1/passages/{passage['id']}/highlight", params={"quote": "a … " * 30}).status_code == 422
    text = httpx.get(f"{base}/v1/search", params={"q": "asylum", "k": 1, "doc": "udhr-en"}).json()["hits"][0]["passage"]
    refused = httpx.get(f"{base}/v1/passages/{text['id']}/highlight")
    assert refused.status_code == 404 and "/v1/documents/udhr-en/reading" in refused.json()["detail"]
    assert httpx.get(f"{base}/v1/passages/nope/highlight").status_code == 404

    reading = httpx.get(f"{base}/v1/documents/udhr-en/reading", params={"lang": "fr"}).json()
    labels = [s["locator"] for s in reading["sections"]]
    assert reading["document"]["id"] == "udhr-en" and "article premier" in labels and "article 14" in labels
    assert [p["id"] for s in reading["sections"] for p in s["passages"]][:1] and text["id"] in {
        p["id"] for s in reading["sections"] for p in s["passages"]
    }
    assert "Article 14" in [s["locator"] for s in httpx.get(f"{base}/v1/documents/udhr-en/reading").json()["sections"]]
    assert httpx.get(f"{base}/v1/documents/nope/reading").status_code == 404
    assert httpx.get(f"{base}/v1/documents/udhr-en/reading", params={"lang": "de"}).status_code == 422
    assert httpx.get(f"{base}/v1/documents/not-here/reading").status_code == 404  # catalogued, not indexed
