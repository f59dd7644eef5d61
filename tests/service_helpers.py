"""What the end-to-end tests share: a real index of some catalogued documents, and real
server processes (the API, llama.cpp's server) started, awaited and stopped."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from conftest import REPO, require_shared_corpus
from policyqa.corpus import catalog
from policyqa.corpus import ingest
from policyqa.index.embedder import CachedEmbedder, EmbeddingCache
from policyqa.index.store import build_index
from policyqa.paths import cache_dir


def build_subset_index(doc_ids: list[str], folder: Path, embedder) -> Path:
    """The real documents, ingested and indexed with `embedder`. Embeddings come from the
    user's cache, so a second run of the suite embeds nothing."""
    root = require_shared_corpus()
    docs = catalog.select(catalog.load_catalog([REPO / "corpus" / "catalog.toml"]), ids=doc_ids)
    report = ingest.ingest(docs, (root,))
    cached = CachedEmbedder(embedder, EmbeddingCache.for_embedder(embedder, cache_dir() / "embeddings"))
    build_index(report.passages, docs, cached.embed_documents, embedder.name, embedder.fingerprint,
                embedder.dimension, folder)
    return folder


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(args: list[str], env: dict | None, log: Path, probe: str, timeout: float) -> subprocess.Popen:
    """Run `python -m policyqa.cli ARGS` and wait until `probe` answers 200. Output goes to a
    file: a pipe nobody reads would fill and block the server."""
    handle = log.open("wb")
    proc = subprocess.Popen([sys.executable, "-m", "policyqa.cli", *args], env=env, stdout=handle,
                            stderr=subprocess.STDOUT)
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
