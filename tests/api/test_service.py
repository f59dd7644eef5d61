"""The service's start: it answers at once, then loads and warms the index in the background,
and says ready only once a question has run through every lazily built part."""

from __future__ import annotations

import threading
import time

from index_fixtures import _build

from policyqa.conversation.store import ConversationStore
from policyqa.index.embedder import HashingEmbedder
from policyqa.settings import Settings
from policyqa_api.service import Service


class Gated(HashingEmbedder):
    """Holds its first query until released, like a model still loading."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = threading.Event()
        self.queries = 0

    def embed_queries(self, texts):
        self.gate.wait(60)
        self.queries += 1
        return super().embed_queries(texts)


def test_ready_only_after_a_question_in_each_language_has_run(tmp_path, monkeypatch):
    _build(tmp_path / "index")
    monkeypatch.setenv("POLICYQA_INDEX_DIR", str(tmp_path / "index"))
    embedder = Gated()
    service = Service.start(Settings.from_env(), embedder, ConversationStore(tmp_path / "db.sqlite3"))
    # Answering already (liveness), not ready: the warm-up question is still running.
    assert not service.ready and "loading" in service.problem and service.retriever is None
    embedder.gate.set()
    deadline = time.time() + 60
    while not service.ready and time.time() < deadline:
        time.sleep(0.05)
    assert service.ready and service.problem == "" and embedder.queries >= 2
    index = service.retriever.index
    # What the first user's question would otherwise have paid for is built.
    assert index._vocabulary is not None and index._unit_search is not None


def test_a_failed_reload_keeps_the_index_in_service(tmp_path, monkeypatch):
    import pytest

    from policyqa.index.store import IndexProblem

    folder = _build(tmp_path / "index")
    monkeypatch.setenv("POLICYQA_INDEX_DIR", str(tmp_path / "index"))
    service = Service.start(Settings.from_env(), HashingEmbedder(), ConversationStore(tmp_path / "db.sqlite3"))
    deadline = time.time() + 60
    while not service.ready and time.time() < deadline:
        time.sleep(0.05)
    assert service.ready, service.problem
    serving = service.retriever
    (folder / "passages.jsonl").write_text("", encoding="utf-8")
    with pytest.raises(IndexProblem, match="passages.jsonl"):
        service.reload()
    assert service.retriever is serving and service.ready and "passages.jsonl" in service.problem
