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


def require_shared_corpus() -> Path:
    if not SHARED_CORPUS.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"the shared corpus is missing at {SHARED_CORPUS}: CI must run beside it")
        pytest.skip(f"shared corpus not found at {SHARED_CORPUS}")
    return SHARED_CORPUS
