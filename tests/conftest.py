"""Shared fixtures: the real shared corpus, and state kept out of the working tree."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_CORPUS = Path(os.environ.get("POLICYQA_SHARED_CORPUS", REPO.parent / "shared" / "corpus"))


@pytest.fixture(autouse=True)
def _state_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Indexes and a user's drop folder never land in the repository during tests."""
    monkeypatch.setenv("POLICYQA_INDEX_DIR", str(tmp_path / "index"))
    monkeypatch.setenv("POLICYQA_LOCAL_CORPUS", str(tmp_path / "local"))
    monkeypatch.setenv("POLICYQA_DB", str(tmp_path / "conversations.sqlite3"))


def require_shared_corpus() -> Path:
    if not SHARED_CORPUS.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"the shared corpus is missing at {SHARED_CORPUS}: CI must run beside it")
        pytest.skip(f"shared corpus not found at {SHARED_CORPUS}")
    return SHARED_CORPUS


@pytest.fixture(scope="session")
def real_embedder():
    """EmbeddingGemma from the user's cache; skipped without it unless POLICYQA_REQUIRE_MODEL is set."""
    from policyqa.index import weights as models
    from policyqa.index.embedder import load_default_embedder

    required = os.environ.get("POLICYQA_REQUIRE_MODEL", "").strip().lower() not in ("", "0", "false", "no")
    if not models.is_installed() and not required:
        pytest.skip("EmbeddingGemma is not installed: run `policyqa models fetch` (POLICYQA_REQUIRE_MODEL=1 makes this a failure)")
    return load_default_embedder()


@pytest.fixture(scope="session")
def default_embedder(real_embedder):
    """The encoder a user gets (POLICYQA_EMBEDDER's default: EmbeddingGemma under ONNX Runtime),
    for the end-to-end tests that go through the CLI, which uses the default. Skipped like
    the model itself when it is not made, unless POLICYQA_REQUIRE_MODEL is set."""
    from policyqa.index.onnx_export import EncoderMissingError
    from policyqa.pipeline import make_embedder
    from policyqa.settings import DEFAULT_EMBEDDER, Settings

    required = os.environ.get("POLICYQA_REQUIRE_MODEL", "").strip().lower() not in ("", "0", "false", "no")
    try:
        return make_embedder(Settings.from_env(), DEFAULT_EMBEDDER)
    except EncoderMissingError as exc:
        if required:
            raise
        pytest.skip(str(exc))


@pytest.fixture(scope="session")
def postgres_server():
    """A running PostgreSQL server: (its URL, the Cluster when this session made it, else None).
    Skipped where there is neither a server URL nor Debian's server, unless
    POLICYQA_REQUIRE_POSTGRES is set (`make test` sets it)."""
    from postgres_cluster import Cluster, server_binaries, unavailable

    url = os.environ.get("POLICYQA_TEST_POSTGRES_URL", "").strip()
    if url:
        yield url, None
        return
    binaries = server_binaries()
    if binaries is None:
        unavailable("no PostgreSQL server: install Debian's postgresql, or set POLICYQA_TEST_POSTGRES_URL")
    from service_helpers import free_port

    cluster = Cluster(binaries, free_port())
    try:
        yield cluster.url, cluster
    finally:
        cluster.remove()


@pytest.fixture
def postgres_url(postgres_server) -> str:
    """A fresh, empty database of its own for one test."""
    from postgres_cluster import new_database

    return new_database(postgres_server[0])
