"""What the end-to-end tests share: a real index of some catalogued documents, and real
server processes (the API, llama.cpp's server) started, awaited and stopped."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from conftest import REPO, require_shared_corpus

from policyqa.corpus import catalog, ingest
from policyqa.index.embedding_cache import CachedEmbedder, EmbeddingCache
from policyqa.index.store import build_index
from policyqa.settings import cache_dir

CHROMIUM = os.environ.get("POLICYQA_CHROMIUM", "/usr/bin/chromium")
# Without the networking flags chromium tries to reach Google's services, which a closed
# network refuses; none of them is needed to render a local page.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--metrics-recording-only",
]


def browser():
    """Playwright, driving Debian's chromium (never a downloaded browser)."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: scripts/setup installs Debian's chromium")
        pytest.skip(f"{CHROMIUM} not installed (scripts/setup installs it)")
    from playwright.sync_api import sync_playwright

    return sync_playwright()


def build_subset_index(doc_ids: list[str], folder: Path, embedder, roots: tuple[Path, ...] = ()) -> Path:
    """The real documents, ingested and indexed with `embedder`. Embeddings come from the
    user's cache, so a second run of the suite embeds nothing. `roots` are searched before the
    shared corpus (a drop folder with fetched files)."""
    root = require_shared_corpus()
    everything = catalog.load_catalog([REPO / "corpus" / "catalog.toml"])
    docs = catalog.select(everything, ids=doc_ids)
    report = ingest.ingest(docs, (*roots, root))
    cached = CachedEmbedder(embedder, EmbeddingCache.for_embedder(embedder, cache_dir() / "embeddings"))
    # The whole catalogue goes with the subset, as with a real build: documents are named in the
    # reader's language from their catalogued versions (« le Pacte mondial »).
    build_index(
        report.passages,
        docs,
        cached.embed_documents,
        embedder.name,
        embedder.fingerprint,
        embedder.dimension,
        folder,
        catalogue=everything,
    )
    return folder


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(args: list[str], env: dict | None, log: Path, probe: str, timeout: float) -> subprocess.Popen:
    """Run `python -m policyqa.cli ARGS` and wait until `probe` answers 200. Output goes to a
    file: a pipe nobody reads would fill and block the server."""
    handle = log.open("wb")
    proc = subprocess.Popen([sys.executable, "-m", "policyqa.cli", *args], env=env, stdout=handle, stderr=subprocess.STDOUT)
    handle.close()  # the child holds its own descriptor
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            if httpx.get(probe, timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        if proc.poll() is not None:
            raise RuntimeError(f"{' '.join(args)} stopped:\n{log.read_text(errors='replace')}")
        time.sleep(0.3)
    proc.kill()
    raise RuntimeError(f"{' '.join(args)} did not answer {probe} in {timeout:.0f} s:\n{log.read_text(errors='replace')}")


def serve_api(env: dict, port: int, log: Path, probe: str = "/v1/health", timeout: float = 60) -> subprocess.Popen:
    return start(["serve", "--port", str(port)], env, log, f"http://127.0.0.1:{port}{probe}", timeout)


@contextmanager
def real_service(tmp: Path, doc_ids: list[str], embedder, roots: tuple[Path, ...] = (), **env: str) -> Iterator[str]:
    """A uvicorn process of the real app over `doc_ids` of the real documents embedded with
    `embedder` (EmbeddingGemma), all state under `tmp`; yields its address. Unless `env` names
    one, no generative model answers."""
    build_subset_index(doc_ids, tmp / "index", embedder, roots)
    port = free_port()
    environment = {
        **os.environ,
        "POLICYQA_INDEX_DIR": str(tmp / "index"),
        "POLICYQA_CORPUS_ROOTS": ":".join(str(r) for r in (*roots, require_shared_corpus())),
        "POLICYQA_DB": str(tmp / "conversations.sqlite3"),
        "POLICYQA_EMBEDDER": "embeddinggemma",
        "POLICYQA_LLM_BASE_URL": f"http://127.0.0.1:{free_port()}/v1",
        **env,
    }
    proc = serve_api(environment, port, tmp / "server.log", probe="/v1/ready", timeout=180)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(proc)


def require_llm_extra() -> None:
    """Skip without the generative mode's packages, unless POLICYQA_REQUIRE_MODEL is set."""
    required = os.environ.get("POLICYQA_REQUIRE_MODEL", "").strip().lower() not in ("", "0", "false", "no")
    try:
        import langchain_openai  # noqa: F401
        import llama_cpp  # noqa: F401
    except ImportError as exc:
        if required:
            raise
        pytest.skip(f"the llm extra is not installed ({exc})")


@contextmanager
def small_llm(folder: Path) -> Iterator[str]:
    """llama.cpp's server on the tiny SmolLM2 (its answers are not the point; the plumbing is);
    yields its OpenAI-compatible address. Skipped when the llm extra is not installed, unless
    POLICYQA_REQUIRE_MODEL is set."""
    require_llm_extra()
    port = free_port()
    base = f"http://127.0.0.1:{port}/v1"
    proc = start(
        ["llm", "serve", "--model", "smollm2", "--port", str(port), "--n-ctx", "2048"], None, folder / "server.log", f"{base}/models", 90
    )
    try:
        yield base
    finally:
        stop(proc)


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    proc.wait(timeout=20)


def sse_events(response: httpx.Response) -> list[tuple[str, dict]]:
    """The (event, data) pairs of a server-sent-events body."""
    events = []
    for block in response.text.split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
        if "event" in lines:
            events.append((lines["event"], json.loads(lines["data"])))
    return events


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


def service_env(tmp: Path, **extra: str) -> dict:
    """The environment of a real service over a small real index (hashing embedder, so it is
    fast) of the catalogue above, all state under `tmp`; the index is built here."""
    root = require_shared_corpus()
    (tmp / "catalog.toml").write_text(CATALOG, encoding="utf-8")
    env = {
        **os.environ,
        "POLICYQA_CATALOG": str(tmp / "catalog.toml"),
        "POLICYQA_CORPUS_ROOTS": str(root),
        "POLICYQA_LOCAL_CORPUS": str(tmp / "local"),
        "POLICYQA_INDEX_DIR": str(tmp / "index"),
        "POLICYQA_CACHE_DIR": str(tmp / "cache"),
        "POLICYQA_EMBEDDER": "hashing",
        "POLICYQA_DB": str(tmp / "conversations.sqlite3"),
        "POLICYQA_API_KEY": API_KEY,
        # Nothing listens there: the generative mode must fail with a clear 503.
        "POLICYQA_LLM_BASE_URL": f"http://127.0.0.1:{free_port()}/v1",
        **extra,
    }
    subprocess.run([sys.executable, "-m", "policyqa.cli", "index", "build"], env=env, check=True, capture_output=True)
    return env
