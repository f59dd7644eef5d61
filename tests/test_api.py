"""The HTTP API, served by a real uvicorn process over a real index (hashing embedder, so it
is fast), exercised over HTTP."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from conftest import require_shared_corpus

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


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(env: dict, port: int) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-m", "policyqa.cli", "serve", "--port", str(port)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/v1/health", timeout=1)
            return proc
        except httpx.HTTPError:
            if proc.poll() is not None:
                raise RuntimeError(proc.stdout.read().decode())
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("the server did not start")


@pytest.fixture(scope="module")
def env(tmp_path_factory) -> dict:
    root = require_shared_corpus()
    tmp = tmp_path_factory.mktemp("api")
    (tmp / "catalog.toml").write_text(CATALOG, encoding="utf-8")
    env = {**os.environ, "POLICYQA_CATALOG": str(tmp / "catalog.toml"), "POLICYQA_CORPUS_ROOTS": str(root),
           "POLICYQA_LOCAL_CORPUS": str(tmp / "local"), "POLICYQA_INDEX_DIR": str(tmp / "index"),
           "POLICYQA_CACHE_DIR": str(tmp / "cache"), "POLICYQA_EMBEDDER": "hashing"}
    subprocess.run([sys.executable, "-m", "policyqa.cli", "index", "build"], env=env, check=True, capture_output=True)
    return env


@pytest.fixture(scope="module")
def base(env):
    port = _free_port()
    proc = _serve(env, port)
    yield f"http://127.0.0.1:{port}"
    proc.terminate()
    proc.wait(timeout=10)


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
    port = _free_port()
    proc = _serve({**env, "POLICYQA_INDEX_DIR": str(tmp_path / "empty")}, port)
    try:
        ready = httpx.get(f"http://127.0.0.1:{port}/v1/ready")
        assert ready.status_code == 503 and "policyqa index build" in ready.json()["detail"]
        search = httpx.get(f"http://127.0.0.1:{port}/v1/search", params={"q": "asile"})
        assert search.status_code == 503 and "policyqa index build" in search.json()["detail"]
        assert httpx.get(f"http://127.0.0.1:{port}/v1/documents").status_code == 200
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_ask_answers_with_resolved_citations_and_rejects_bad_bodies(base):
    r = httpx.post(f"{base}/v1/ask", json={"question": "Devant la persécution, toute personne a le droit de chercher asile"})
    assert r.status_code == 200, r.text
    data = r.json()
    assert data["lang"] == "fr" and data["mode"] == "extractive"
    if data["answered"]:
        assert data["citations"] and all(f"{c['marker']}" in data["text"] for c in data["citations"])
    else:
        assert data["text"].startswith("Le corpus ne couvre pas")
    for body, status in [({"question": ""}, 422), ({"question": "x" * 5000}, 422), ({}, 422),
                         ({"question": "asile", "lang": "de"}, 422), ({"question": "asile", "mode": "llm"}, 422),
                         ({"question": "asile", "doc": ["nope"]}, 400)]:
        bad = httpx.post(f"{base}/v1/ask", json=body)
        assert bad.status_code == status, (body, bad.text)
        assert bad.json()["detail"]
    malformed = httpx.post(f"{base}/v1/ask", content=b"{not json", headers={"content-type": "application/json"})
    assert malformed.status_code == 422 and malformed.json()["detail"]
