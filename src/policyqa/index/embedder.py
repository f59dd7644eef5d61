"""Embedders: the real model, a deterministic fake for tests and a LangChain adapter.

Every embedder returns float32, L2-normalised rows, so a dot product is a cosine everywhere
downstream (FAISS inner-product index, fusion, tests). The disk cache of document vectors
is in `embedding_cache`.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np
from langchain_core.embeddings import Embeddings

from policyqa.index import weights as models
from policyqa.index.threads import limit_torch_threads
from policyqa.text.analysis import fold as strip_accents

MATRYOSHKA_DIMENSIONS = (768, 512, 256, 128)
# A question is embedded from at most this many tokens. A 2,000-character question of digits,
# CJK or combining marks is about 2,000 tokens and cost 3-6.5 s of CPU against ~70 ms for a
# normal one; a real question is 10-60 tokens, and a follow-up glued to its previous question
# rarely passes 200.
MAX_QUERY_TOKENS = 256


@runtime_checkable
class Embedder(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def dimension(self) -> int: ...

    @property
    def fingerprint(self) -> str:
        """Changes whenever the same text could get a different vector (weights, settings)."""
        ...

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray: ...


def normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    # An all-zero row (empty text for the fake) stays zero instead of becoming NaN.
    return vectors / np.where(norms == 0.0, 1.0, norms)


def digest(*parts: object) -> str:
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode()).hexdigest()


def bounded(text: str, tokenizer: Callable[[], Any], limit: int = MAX_QUERY_TOKENS) -> str:
    """The question cut to `limit` tokens: its first and last halves, since a follow-up
    carries the previous subject first and its own new aspect last. `tokenizer` is called
    only for a question long enough to need it."""
    if len(text) * 4 <= limit:  # a rare character can take a few byte tokens, never more than 4
        return text
    offsets = tokenizer()(text, add_special_tokens=False, return_offsets_mapping=True)["offset_mapping"]
    if len(offsets) <= limit:
        return text
    half = limit // 2
    return text[: offsets[half - 1][1]] + " … " + text[offsets[-half][0] :]


class SentenceTransformerEmbedder:
    """A sentence-transformers model on CPU, loaded on first use (once, even across threads)."""

    def __init__(
        self,
        model_dir: Path | str,
        dimension: int = 768,
        batch_size: int = 8,
        max_seq_length: int | None = None,
        model_sha256: str | None = None,
        name: str = models.EMBEDDING_MODEL.name,
        threads: int | None = None,
    ) -> None:
        if dimension <= 0 or batch_size <= 0 or (max_seq_length is not None and max_seq_length <= 0):
            raise ValueError("dimension, batch_size and max_seq_length must be positive")
        self.model_dir = Path(model_dir)
        self._name, self._dimension = name, dimension
        self.batch_size, self.max_seq_length = batch_size, max_seq_length
        self._model_sha256 = model_sha256
        self.threads = threads
        self._model: Any = None
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        return self._name

    @property
    def dimension(self) -> int:
        return self._dimension

    @property
    def fingerprint(self) -> str:
        if self._model_sha256 is None:
            # Unknown weights: hash them (about a second for 1.2 GB) rather than guess.
            self._model_sha256 = models.sha256_file(self.model_dir / "model.safetensors")
        return digest("st-v1", self._name, self._model_sha256, self._dimension, self.max_seq_length)[:16]

    def model(self) -> Any:
        if self._model is None:
            with self._lock:
                if self._model is None:
                    self._model = self._load()
        return self._model

    def _load(self) -> Any:
        # huggingface_hub reads these when imported: set them before sentence_transformers is.
        os.environ["HF_HUB_OFFLINE"] = "1"
        os.environ["TRANSFORMERS_OFFLINE"] = "1"
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging

        # The "Loading weights" bar would land in every CLI and service log.
        transformers_logging.disable_progress_bar()
        # Threads for the CPUs this process may use: a container's share, not the host's count.
        limit_torch_threads(self.threads)
        model = SentenceTransformer(str(self.model_dir), device="cpu", local_files_only=True, truncate_dim=self._dimension)
        # Renamed in sentence-transformers 6; the old name still works but warns.
        getter = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        full = getter()
        if full is not None and full < self._dimension:
            raise ValueError(f"{self._name} makes {full}-dimensional vectors, not {self._dimension}")
        if self.max_seq_length is not None:
            model.max_seq_length = self.max_seq_length
        return model

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode([self._bounded(t) for t in texts], query=True)

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, query=False)

    def _bounded(self, text: str) -> str:
        return bounded(text, lambda: self.model().tokenizer)

    def _encode(self, texts: Sequence[str], query: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, self._dimension), dtype=np.float32)
        model = self.model()
        # The two methods add the model's own query/document prompts; swapping them costs quality.
        encode = model.encode_query if query else model.encode_document
        vectors = encode(
            list(texts), batch_size=self.batch_size, normalize_embeddings=True,
            convert_to_numpy=True, show_progress_bar=False,
        )  # fmt: skip
        # Re-normalised because truncation to a Matryoshka size may follow normalisation.
        return normalise(vectors)


class HashingEmbedder:
    """A deterministic fake: signed hashing of accent-folded words and character n-grams.

    Similar strings share n-grams and so get close vectors, which is enough for plumbing tests.
    Uses blake2b, not hash(), so vectors are identical across processes.
    """

    def __init__(self, dimension: int = 256) -> None:
        if dimension <= 0:
            raise ValueError("dimension must be positive")
        self._dimension = dimension

    @property
    def name(self) -> str:
        return "hashing"

    @property
    def dimension(self) -> int:
        return self._dimension

    @property
    def fingerprint(self) -> str:
        return f"hashing-v1-{self._dimension}"

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self.embed_documents(texts)

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self._dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for feature in _features(text):
                index, sign = _bucket(feature, self._dimension)
                out[row, index] += sign
        return normalise(out)


def fold_words(text: str) -> str:
    """Case- and accent-insensitive form: "Élève  n'a" -> "eleve n a"."""
    return " ".join(re.findall(r"\w+", strip_accents(text).casefold()))


def _features(text: str) -> Iterable[str]:
    for word in fold_words(text).split():
        yield "w:" + word
        padded = f"#{word}#"
        for n in (3, 4):
            for start in range(max(1, len(padded) - n + 1)):
                yield f"{n}:{padded[start : start + n]}"


@lru_cache(maxsize=1 << 16)
def _bucket(feature: str, dimension: int) -> tuple[int, float]:
    value = int.from_bytes(hashlib.blake2b(feature.encode(), digest_size=8).digest(), "little")
    return value % dimension, (1.0 if value >> 63 else -1.0)


class LangChainEmbeddings(Embeddings):
    """Any Embedder as `langchain_core.embeddings.Embeddings` (lists of floats, as LangChain wants)."""

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embedder.embed_documents(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embedder.embed_queries([text])[0].tolist()


def load_default_embedder(
    dimension: int = 768, max_seq_length: int | None = None, batch_size: int = 8, threads: int | None = None
) -> SentenceTransformerEmbedder:
    """EmbeddingGemma from the verified cache; raises models.ModelMissingError saying what to run."""
    if dimension not in MATRYOSHKA_DIMENSIONS:
        raise ValueError(f"dimension must be one of {MATRYOSHKA_DIMENSIONS} for this model")
    spec = models.EMBEDDING_MODEL
    return SentenceTransformerEmbedder(
        models.verify(spec),
        dimension=dimension,
        batch_size=batch_size,
        max_seq_length=max_seq_length,
        model_sha256=spec.hashes["model.safetensors"],
        name=spec.name,
        threads=threads,
    )
