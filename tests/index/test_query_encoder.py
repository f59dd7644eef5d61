"""The query encoder's cache and micro-batcher, with a fake embedder that records its calls:
what each caller gets back, what reaches the embedder, and that no caller waits forever."""

from __future__ import annotations

import gc
import threading
import time
import weakref
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from policyqa.index.embedder import HashingEmbedder
from policyqa.index.query_encoder import QueryEncoder
from policyqa.index.threads import _cgroup_quota, usable_cpus


class Recording(HashingEmbedder):
    """Counts calls and batch sizes; each call can take `pass_s`, like a forward pass."""

    def __init__(self, pass_s: float = 0.0) -> None:
        super().__init__(dimension=64)
        self.pass_s = pass_s
        self.batches: list[list[str]] = []
        self.fail = threading.Event()
        self.entered = threading.Event()

    def embed_queries(self, texts):
        self.entered.set()
        self.batches.append(list(texts))
        time.sleep(self.pass_s)
        if self.fail.is_set():
            raise RuntimeError("the model fell over")
        return super().embed_queries(texts)


def test_a_single_call_is_the_embedders_own_row():
    embedder = Recording()
    with QueryEncoder(embedder) as encode:
        vector = encode("asylum from persecution")
    assert vector.shape == (64,) and vector.dtype == np.float32
    np.testing.assert_array_equal(vector, HashingEmbedder(64).embed_queries(["asylum from persecution"])[0])
    assert embedder.batches == [["asylum from persecution"]]


def test_a_repeated_text_comes_from_the_cache_read_only():
    embedder = Recording()
    with QueryEncoder(embedder) as encode:
        first = encode("droit d'asile")
        second = encode("droit d'asile")
        stats = encode.stats()
    assert second is first and len(embedder.batches) == 1
    assert (stats.hits, stats.misses, stats.batches) == (1, 1, 1)
    with pytest.raises(ValueError, match="read-only"):
        second[0] = 42.0


def test_the_least_recently_used_text_leaves_at_the_bound():
    embedder = Recording()
    with QueryEncoder(embedder, cache_size=2) as encode:
        encode("a")
        encode("b")
        encode("a")  # now b is the oldest
        encode("c")  # evicts b
        assert encode.stats().cached == 2
        encode("a")
        encode("c")
        assert len(embedder.batches) == 3
        encode("b")
    assert [b[0] for b in embedder.batches] == ["a", "b", "c", "b"]


def test_concurrent_callers_share_passes_and_each_gets_its_own_vector():
    embedder = Recording(pass_s=0.05)
    texts = [f"question number {i} about borders" for i in range(16)]
    with QueryEncoder(embedder) as encode:
        start = threading.Barrier(16)

        def ask(text: str) -> np.ndarray:
            start.wait()
            return encode(text)

        with ThreadPoolExecutor(16) as pool:
            vectors = list(pool.map(ask, texts))
        stats = encode.stats()
    assert len(embedder.batches) < 16 and stats.largest_batch > 1
    assert sorted(t for b in embedder.batches for t in b) == sorted(texts)  # each text embedded once
    expected = HashingEmbedder(64).embed_queries(texts)
    for text, vector, row in zip(texts, vectors, expected):
        np.testing.assert_array_equal(vector, row, err_msg=text)


def test_the_same_text_asked_concurrently_is_embedded_once():
    embedder = Recording(pass_s=0.05)
    with QueryEncoder(embedder) as encode:
        with ThreadPoolExecutor(8) as pool:
            vectors = list(pool.map(encode, ["same question"] * 8))
        stats = encode.stats()
    assert sum(len(b) for b in embedder.batches) == 1 and stats.misses == 1
    assert all(v is vectors[0] for v in vectors)


def test_an_error_reaches_every_waiting_caller_and_the_next_call_works():
    embedder = Recording(pass_s=0.05)
    embedder.fail.set()
    with QueryEncoder(embedder) as encode:
        with ThreadPoolExecutor(8) as pool:
            futures = [pool.submit(encode, f"text {i}") for i in range(8)]
            errors = [f.exception(timeout=10) for f in futures]
        assert all(isinstance(e, RuntimeError) and "fell over" in str(e) for e in errors)
        embedder.fail.clear()
        vector = encode("text 0")  # not cached as a failure; the worker is still there
    np.testing.assert_array_equal(vector, HashingEmbedder(64).embed_queries(["text 0"])[0])


def test_a_wrong_shape_from_the_embedder_is_an_error_not_a_hang():
    class Short(HashingEmbedder):
        def embed_queries(self, texts):
            return super().embed_queries(texts)[:0]

    with QueryEncoder(Short()) as encode:
        with pytest.raises(ValueError, match="shape"):
            encode("anything")


def test_close_stops_the_worker_and_later_calls_raise():
    encode = QueryEncoder(Recording())
    worker = encode._worker
    encode("before")
    encode.close()
    assert not worker.is_alive() and worker.daemon
    assert encode("before") is not None  # still answered from the cache
    with pytest.raises(RuntimeError, match="closed"):
        encode("after")


def test_questions_queued_before_close_are_still_answered():
    embedder = Recording(pass_s=0.05)
    encode = QueryEncoder(embedder, max_batch=1)
    with ThreadPoolExecutor(4) as pool:
        futures = [pool.submit(encode, f"text {i}") for i in range(4)]
        embedder.entered.wait(10)
        encode.close(timeout=10)
        results = [f.result(timeout=10) for f in futures if f.exception(timeout=10) is None]
    # Each call was either queued before the stop mark (answered) or refused at once.
    assert all(r.shape == (64,) for r in results) and results


def test_a_dropped_encoder_stops_its_worker():
    encode = QueryEncoder(Recording())
    worker, ref = encode._worker, weakref.ref(encode)
    encode("warm")
    del encode
    gc.collect()
    assert ref() is None
    worker.join(5)
    assert not worker.is_alive()


def test_usable_cpus_follows_affinity_and_the_cgroup_quota(tmp_path):
    cpu_max = tmp_path / "cpu.max"
    assert usable_cpus(cpu_max) >= 1  # no file: affinity alone
    cpu_max.write_text("max 100000\n")
    assert _cgroup_quota(cpu_max) is None
    cpu_max.write_text("150000 100000\n")
    assert _cgroup_quota(cpu_max) == 2
    cpu_max.write_text("100000 100000\n")
    assert usable_cpus(cpu_max) == 1
