"""Wiring: settings -> embedder -> corpus passages -> index -> retriever.

The CLI, the service and the evaluation harness all assemble the pipeline here, so they
use the same embedder, index location and weights.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from policyqa.corpus import catalog, ingest
from policyqa.index.embedder import Embedder, HashingEmbedder, load_default_embedder
from policyqa.index.embedding_cache import CachedEmbedder, EmbeddingCache
from policyqa.index.publish import publish
from policyqa.index.query_encoder import QueryEncoder
from policyqa.index.store import Index, build_index, load_build, load_index
from policyqa.retrieve.retriever import Retriever, Weights
from policyqa.settings import EMBEDDERS, Settings
from policyqa.storage.database import Database, open_database

ONNX_EMBEDDERS = {"embeddinggemma-onnx": "fp32", "embeddinggemma-int8": "int8"}


def make_embedder(settings: Settings, name: str | None = None) -> Embedder:
    """The configured embedder (`name`, e.g. a command's option, else POLICYQA_EMBEDDER):
    EmbeddingGemma by default; 'hashing' is a fast fake for tests."""
    choice = name or settings.embedder
    if choice == "hashing":
        return HashingEmbedder()
    if choice == "embeddinggemma":
        return load_default_embedder(threads=settings.model_threads)
    if choice in ONNX_EMBEDDERS:
        from policyqa.index.onnx_embedder import load_onnx_embedder

        return load_onnx_embedder(ONNX_EMBEDDERS[choice], threads=settings.model_threads)
    raise ValueError(f"unknown embedder '{choice}': expected one of {', '.join(EMBEDDERS)}")


def build(
    settings: Settings,
    embedder: Embedder,
    collection: str = "default",
    progress: Callable[[int, int], None] | None = None,
    on_document: Callable[..., None] | None = None,
) -> tuple[Path, ingest.IngestReport]:
    """Build the index and publish it, so every worker sharing the database switches to it.
    Raises StorageUnavailable (after the build, which stays in the index folder) when the
    database cannot be reached; a later publish, e.g. POST /v1/index/reload, serves it."""
    everything = catalog.load_catalog(settings.catalogs)
    docs = catalog.select(everything, None if collection == "all" else collection)
    report = ingest.ingest(docs, settings.corpus_roots, progress=on_document)
    cached = CachedEmbedder(embedder, EmbeddingCache.for_embedder(embedder, settings.cache_dir / "embeddings"))

    def embed(texts: list[str]) -> np.ndarray:
        return cached.embed_documents(texts, progress=progress)

    folder = build_index(
        report.passages,
        docs,
        embed,
        embedder.name,
        embedder.fingerprint,
        embedder.dimension,
        settings.index_dir,
        collection,
        catalogue=everything,
    )
    published_to = database(settings)
    try:
        publish(published_to, folder, build_note(folder, report))
    finally:
        published_to.close()
    return folder, report


def build_note(folder: Path, report: ingest.IngestReport) -> str:
    """What the index status says of a finished build."""
    skipped = sum(1 for d in report.documents for problem in d.problems if problem.severity == "error")
    return f"built {folder.name}: {len(report.passages)} passages, {skipped} document(s) skipped"


def database(settings: Settings) -> Database:
    return open_database(settings.db, settings.db_pool_size)


def open_index(settings: Settings, embedder: Embedder) -> Index:
    return load_index(settings.index_dir, embedder.fingerprint, embedder.dimension)


def retriever(settings: Settings, embedder: Embedder, weights: Weights = Weights(), folder: Path | None = None) -> Retriever:
    """A retriever over the index's current build, or over the build in `folder`."""
    index = open_index(settings, embedder) if folder is None else load_build(folder, embedder.fingerprint, embedder.dimension)
    # Cached and batched across threads (the service answers from a thread pool). The
    # encoder's worker stops when the retriever, its only holder, is dropped on a reload.
    return Retriever(index, QueryEncoder(embedder), weights)
