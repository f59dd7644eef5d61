"""The disk cache of document vectors: `EmbeddingCache` (SQLite, keyed by embedder
fingerprint and text), `embed_documents_cached` and `CachedEmbedder`, which embed only the
passages the cache lacks, so that an index rebuild or an interrupted build costs only what
changed.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
import time
from collections.abc import Callable, Iterable, Sequence
from contextlib import closing
from pathlib import Path

import numpy as np

from policyqa.index.embedder import Embedder
from policyqa.settings import cache_dir

# (embedded so far, to embed in all); called once with 0 before the first batch.
EmbedProgress = Callable[[int, int], None]


class EmbeddingCache:
    """Document vectors on disk, keyed by sha256(fingerprint, text), in SQLite as float32 blobs.

    SQLite (WAL) rather than .npy files so that concurrent index builds can write safely, and
    raw little-endian float32 rather than pickle so that nothing from disk is ever executed.
    """

    def __init__(self, fingerprint: str, dimension: int, root: Path | None = None) -> None:
        if not re.fullmatch(r"[A-Za-z0-9._-]+", fingerprint):
            raise ValueError(f"fingerprint {fingerprint!r} cannot name a folder")
        self.fingerprint, self.dimension = fingerprint, dimension
        self.folder = (root if root is not None else cache_dir() / "embeddings") / fingerprint
        self.path = self.folder / "vectors.sqlite"
        self.hits = 0  # texts answered from disk, over this object's life
        self.misses = 0  # distinct texts that had to be embedded
        self._ready = False

    @classmethod
    def for_embedder(cls, embedder: Embedder, root: Path | None = None) -> EmbeddingCache:
        return cls(embedder.fingerprint, embedder.dimension, root)

    def key(self, text: str) -> str:
        return hashlib.sha256(f"{self.fingerprint}\0{text}".encode()).hexdigest()

    def _connect(self) -> sqlite3.Connection:
        self.folder.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(self.path, timeout=60)
        if not self._ready:
            self._set_up(connection)
        return connection

    def _set_up(self, connection: sqlite3.Connection) -> None:
        # Switching a new file to WAL fails at once with "database is locked" (the busy timeout
        # does not apply) when another writer is opening it too, so that step is retried.
        for attempt in range(200):
            try:
                if connection.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                    connection.execute("PRAGMA journal_mode=WAL")
                connection.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vector BLOB NOT NULL) WITHOUT ROWID")
                self._ready = True
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or attempt == 199:
                    raise
                time.sleep(0.01 + 0.001 * attempt)

    def get_many(self, keys: Sequence[str]) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        if not keys or not self.path.exists():
            return found
        size = self.dimension * 4
        with closing(self._connect()) as connection:
            for start in range(0, len(keys), 500):  # stays under SQLite's bound-parameter limit
                chunk = list(keys[start : start + 500])
                marks = ",".join("?" * len(chunk))
                rows = connection.execute(f"SELECT key, vector FROM vectors WHERE key IN ({marks})", chunk)
                for key, blob in rows:
                    if len(blob) == size:  # anything else is damage: treat it as a miss
                        found[key] = np.frombuffer(blob, dtype="<f4").astype(np.float32)
        return found

    def put_many(self, items: Iterable[tuple[str, np.ndarray]]) -> None:
        rows = [(key, np.asarray(vector, dtype="<f4").tobytes()) for key, vector in items]
        if any(len(blob) != self.dimension * 4 for _, blob in rows):
            raise ValueError(f"vectors must have {self.dimension} dimensions")
        with closing(self._connect()) as connection, connection:
            connection.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?)", rows)

    def __len__(self) -> int:
        if not self.path.exists():
            return 0
        with closing(self._connect()) as connection:
            return int(connection.execute("SELECT count(*) FROM vectors").fetchone()[0])


def embed_documents_cached(
    embedder: Embedder,
    texts: Sequence[str],
    cache: EmbeddingCache,
    progress: EmbedProgress | None = None,
    batch_size: int = 64,
) -> np.ndarray:
    """Embed passages, computing only those not in `cache`; each batch is saved as soon as it is
    done, so an interrupted index build resumes where it stopped."""
    if cache.fingerprint != embedder.fingerprint or cache.dimension != embedder.dimension:
        raise ValueError("this cache belongs to another embedder or dimension")
    keys = [cache.key(text) for text in texts]
    vectors = cache.get_many(keys)
    todo = {key: text for key, text in zip(keys, texts, strict=True) if key not in vectors}
    cache.hits += len(keys) - sum(1 for key in keys if key in todo)
    cache.misses += len(todo)
    pending = list(todo.items())
    if progress is not None:
        progress(0, len(pending))
    for start in range(0, len(pending), batch_size):
        batch = pending[start : start + batch_size]
        embedded = embedder.embed_documents([text for _, text in batch])
        if embedded.shape != (len(batch), cache.dimension):
            raise ValueError(f"{embedder.name} returned shape {embedded.shape} for {len(batch)} texts")
        cache.put_many((key, vector) for (key, _), vector in zip(batch, embedded, strict=True))
        vectors.update((key, vector) for (key, _), vector in zip(batch, embedded, strict=True))
        if progress is not None:
            progress(start + len(batch), len(pending))
    if not keys:
        return np.zeros((0, cache.dimension), dtype=np.float32)
    return np.stack([vectors[key] for key in keys]).astype(np.float32, copy=False)


class CachedEmbedder:
    """An Embedder whose document vectors go through an EmbeddingCache (queries are not cached)."""

    def __init__(self, inner: Embedder, cache: EmbeddingCache | None = None, batch_size: int = 64) -> None:
        self.inner = inner
        self.cache = cache if cache is not None else EmbeddingCache.for_embedder(inner)
        self.batch_size = batch_size

    @property
    def name(self) -> str:
        return self.inner.name

    @property
    def dimension(self) -> int:
        return self.inner.dimension

    @property
    def fingerprint(self) -> str:
        return self.inner.fingerprint

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self.inner.embed_queries(texts)

    def embed_documents(self, texts: Sequence[str], progress: EmbedProgress | None = None) -> np.ndarray:
        return embed_documents_cached(self.inner, texts, self.cache, progress, self.batch_size)
