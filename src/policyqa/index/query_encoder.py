"""The question's vector, shared: a bounded cache of recent query vectors in front of one
worker thread that embeds every question waiting at the same moment in one call.

Embedding the question is almost all of a question's cost. The service answers from a
thread pool, so without this, 20 concurrent clients make 20 one-text forward passes whose
intra-op threads fight over the same cores; one 20-text pass costs little more than one.
The worker never waits for company: it takes the first question and whatever else is
already queued, so a lone question pays only a thread hand-off, and the questions that
arrive during a pass form the next batch by themselves. A question already being embedded
is joined rather than queued again, and a repeated one (the chat page's suggestions, the
warm-up, an evaluation running several systems) is answered from the cache.
"""

from __future__ import annotations

import queue
import threading
import time
import weakref
from collections import OrderedDict
from concurrent.futures import Future
from dataclasses import dataclass

import numpy as np

from policyqa.index.embedder import Embedder

# Marks the end of the queue: the worker stops at it (after serving what came before).
_STOP = None


@dataclass(frozen=True)
class EncoderStats:
    hits: int  # answered from the cache
    joined: int  # answered by a pass already under way for the same text
    misses: int  # texts sent to the embedder
    batches: int  # calls to embed_queries
    largest_batch: int
    cached: int  # vectors held now


@dataclass(frozen=True)
class _Request:
    text: str
    future: Future


class _State:
    """What callers and the worker share. The worker holds this and never the encoder, so
    an encoder nobody references is collected and its finaliser stops the worker."""

    def __init__(self, cache_size: int) -> None:
        self.lock = threading.Lock()
        self.cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self.cache_size = cache_size
        self.pending: dict[str, Future] = {}
        self.requests: queue.SimpleQueue[_Request | None] = queue.SimpleQueue()
        self.closed = False
        self.hits = self.joined = self.misses = self.batches = self.largest_batch = 0

    def store(self, text: str, vector: np.ndarray) -> None:
        """Called with the lock held."""
        if self.cache_size <= 0:
            return
        self.cache[text] = vector
        self.cache.move_to_end(text)
        while len(self.cache) > self.cache_size:
            self.cache.popitem(last=False)

    def stop(self) -> None:
        # Under the lock, so no request can be queued behind the stop mark and wait forever.
        with self.lock:
            if not self.closed:
                self.closed = True
                self.requests.put(_STOP)


class QueryEncoder:
    """`embed_query` for a Retriever: text -> read-only 1-D float32 vector, cached and batched.

    Texts are keyed exactly as given; the retriever has already normalised the whitespace.
    `max_wait_s` lets the worker wait that long for more questions before a pass: 0 by
    default, since under load the batches form during the previous pass anyway.
    """

    def __init__(self, embedder: Embedder, cache_size: int = 1024, max_batch: int = 32, max_wait_s: float = 0.0) -> None:
        if cache_size < 0 or max_batch <= 0 or max_wait_s < 0:
            raise ValueError("cache_size must be >= 0, max_batch > 0 and max_wait_s >= 0")
        self._state = _State(cache_size)
        self._worker = threading.Thread(
            target=_serve, args=(self._state, embedder, max_batch, max_wait_s), name="policyqa-query-encoder", daemon=True
        )
        self._worker.start()
        self._stop = weakref.finalize(self, self._state.stop)

    def __call__(self, text: str) -> np.ndarray:
        state = self._state
        with state.lock:
            vector = state.cache.get(text)
            if vector is not None:
                state.cache.move_to_end(text)
                state.hits += 1
                return vector
            if state.closed:
                raise RuntimeError("the query encoder is closed")
            future = state.pending.get(text)
            if future is not None:
                state.joined += 1
            else:
                future = state.pending[text] = Future()
                state.requests.put(_Request(text, future))
        return future.result()

    def close(self, timeout: float | None = 5.0) -> None:
        """Stop the worker once the questions already queued are answered; later calls raise."""
        self._stop()
        if self._worker is not threading.current_thread():
            self._worker.join(timeout)

    def stats(self) -> EncoderStats:
        s = self._state
        with s.lock:
            return EncoderStats(s.hits, s.joined, s.misses, s.batches, s.largest_batch, len(s.cache))

    def __enter__(self) -> QueryEncoder:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def _serve(state: _State, embedder: Embedder, max_batch: int, max_wait_s: float) -> None:
    while True:
        batch, stopping = _next_batch(state.requests, max_batch, max_wait_s)
        if batch:
            _answer(state, embedder, batch)
        if stopping:
            return


def _next_batch(requests: queue.SimpleQueue, max_batch: int, max_wait_s: float) -> tuple[list[_Request], bool]:
    """The first waiting request and the others already queued (or arriving within
    `max_wait_s`), up to `max_batch`; True once the stop mark is reached."""
    first = requests.get()
    if first is _STOP:
        return [], True
    batch = [first]
    deadline = time.monotonic() + max_wait_s
    while len(batch) < max_batch:
        try:
            left = deadline - time.monotonic()
            item = requests.get(timeout=left) if left > 0 else requests.get_nowait()
        except queue.Empty:
            break
        if item is _STOP:
            return batch, True
        batch.append(item)
    return batch, False


def _answer(state: _State, embedder: Embedder, batch: list[_Request]) -> None:
    """One embed_queries call for the batch; each caller gets its row, or the same error."""
    texts = [r.text for r in batch]  # distinct: a text already pending is joined, not queued
    try:
        vectors = np.asarray(embedder.embed_queries(texts), dtype=np.float32)
        if vectors.ndim != 2 or vectors.shape[0] != len(texts):
            raise ValueError(f"embed_queries returned shape {vectors.shape} for {len(texts)} texts")
    except BaseException as exc:  # whatever it is, no caller may wait forever for it
        with state.lock:
            _count(state, len(texts))
            for r in batch:
                state.pending.pop(r.text, None)
        for r in batch:
            r.future.set_exception(exc)
        return
    rows = [_frozen(v) for v in vectors]
    with state.lock:
        _count(state, len(texts))
        for r, row in zip(batch, rows):
            state.store(r.text, row)
            state.pending.pop(r.text, None)
    for r, row in zip(batch, rows):
        r.future.set_result(row)


def _count(state: _State, size: int) -> None:
    state.batches += 1
    state.misses += size
    state.largest_batch = max(state.largest_batch, size)


def _frozen(row: np.ndarray) -> np.ndarray:
    # A copy, so the cache does not keep the whole batch alive; read-only, so no caller can
    # change the vector every later caller of the same text gets.
    vector = np.array(row, dtype=np.float32, copy=True)
    vector.setflags(write=False)
    return vector
