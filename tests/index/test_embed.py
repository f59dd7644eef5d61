"""Embedders: the hashing fake, the disk cache, the LangChain adapter, and (marked) the real model."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
import types
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from langchain_core.embeddings import Embeddings

from policyqa.index import weights as models
from policyqa.index.embedder import (
    Embedder,
    HashingEmbedder,
    LangChainEmbeddings,
    SentenceTransformerEmbedder,
    fold_words,
    load_default_embedder,
)
from policyqa.index.embedding_cache import CachedEmbedder, EmbeddingCache, embed_documents_cached

# Captured at import, before any fixture redirects the cache, so the model test finds the real one.
_REAL_ENV = {name: os.environ.get(name) for name in ("HOME", "POLICYQA_CACHE_DIR", "XDG_CACHE_HOME", "POLICYQA_EMBEDDING_MODEL_DIR")}


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "cache"
    monkeypatch.setenv("POLICYQA_CACHE_DIR", str(root))
    monkeypatch.delenv("POLICYQA_EMBEDDING_MODEL_DIR", raising=False)
    return root


class Counting:
    """Wraps an embedder and records every batch it is asked to embed."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.batches: list[list[str]] = []
        self.name, self.dimension, self.fingerprint = inner.name, inner.dimension, inner.fingerprint

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self.inner.embed_queries(texts)

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        self.batches.append(list(texts))
        return self.inner.embed_documents(texts)


TEXTS = [
    "Les enfants migrants ont droit à l'éducation.",
    "Migrant children have the right to education.",
    "Remittances reduce the cost of transfers.",
]


def test_hashing_embedder_is_normalised_float32_and_deterministic() -> None:
    embedder = HashingEmbedder(64)
    vectors = embedder.embed_documents(TEXTS)
    assert vectors.shape == (3, 64) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-6)
    np.testing.assert_array_equal(vectors, HashingEmbedder(64).embed_documents(TEXTS))
    np.testing.assert_array_equal(embedder.embed_queries(TEXTS[:1]), vectors[:1])
    assert embedder.embed_documents([]).shape == (0, 64)
    empty = embedder.embed_documents([""])
    assert not np.isnan(empty).any() and not empty.any()
    assert isinstance(embedder, Embedder)


def test_hashing_embedder_is_the_same_in_another_process() -> None:
    code = "from policyqa.index.embedder import HashingEmbedder as H; print(H(32).embed_documents(['Élève']).tobytes().hex())"
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert other.stdout.strip() == HashingEmbedder(32).embed_documents(["Élève"]).tobytes().hex()


def test_hashing_embedder_folds_accents_and_keeps_similar_strings_close() -> None:
    embedder = HashingEmbedder()
    assert fold_words("Élève  N'A") == "eleve n a"
    a, b = embedder.embed_documents(["Réfugiés et apatrides", "refugies ET APATRIDES"])
    np.testing.assert_allclose(a, b)
    base, near, far = embedder.embed_documents(["migrant children", "migrant child", "financial remittances"])
    assert base @ near > 0.5 > base @ far


def test_the_cache_embeds_only_new_texts(tmp_path: Path) -> None:
    embedder = Counting(HashingEmbedder(32))
    cache = EmbeddingCache.for_embedder(embedder, root=tmp_path / "emb")
    first = embed_documents_cached(embedder, TEXTS, cache, batch_size=2)
    assert [len(b) for b in embedder.batches] == [2, 1]
    assert (cache.hits, cache.misses) == (0, 3)
    np.testing.assert_array_equal(first, HashingEmbedder(32).embed_documents(TEXTS))

    progress: list[tuple[int, int]] = []
    more = [*TEXTS, "new passage", TEXTS[0], "new passage"]
    again = embed_documents_cached(embedder, more, cache, lambda done, total: progress.append((done, total)))
    assert embedder.batches[2:] == [["new passage"]]  # duplicates embedded once, hits not at all
    assert (cache.hits, cache.misses) == (4, 4)
    assert progress == [(0, 1), (1, 1)]
    np.testing.assert_array_equal(again[:3], first)
    np.testing.assert_array_equal(again[3], again[5])
    assert again.dtype == np.float32 and len(cache) == 4

    reopened = EmbeddingCache.for_embedder(embedder, root=tmp_path / "emb")
    embed_documents_cached(embedder, TEXTS, reopened)
    assert len(embedder.batches) == 3 and reopened.hits == 3
    assert embed_documents_cached(embedder, [], reopened).shape == (0, 32)


def test_the_cache_lives_under_the_fingerprint_and_never_pickles(tmp_path: Path) -> None:
    embedder = HashingEmbedder(16)
    cache = EmbeddingCache.for_embedder(embedder)  # default root: <cache>/embeddings/<fingerprint>/
    embed_documents_cached(embedder, TEXTS, cache)
    assert cache.path == Path(os.environ["POLICYQA_CACHE_DIR"]) / "embeddings" / "hashing-v1-16" / "vectors.sqlite"
    with sqlite3.connect(cache.path) as connection:
        blobs = [row[0] for row in connection.execute("SELECT vector FROM vectors")]
    assert {len(blob) for blob in blobs} == {16 * 4}  # raw float32, nothing else

    other = EmbeddingCache.for_embedder(HashingEmbedder(8))
    assert other.folder != cache.folder and len(other) == 0
    with pytest.raises(ValueError, match="another embedder"):
        embed_documents_cached(HashingEmbedder(8), TEXTS, cache)
    with pytest.raises(ValueError, match="cannot name a folder"):
        EmbeddingCache("../escape", 16)


def test_a_damaged_cache_row_is_embedded_again(tmp_path: Path) -> None:
    embedder = Counting(HashingEmbedder(16))
    cache = EmbeddingCache.for_embedder(embedder, root=tmp_path)
    embed_documents_cached(embedder, TEXTS, cache)
    with sqlite3.connect(cache.path) as connection:
        connection.execute("UPDATE vectors SET vector = x'00' WHERE key = ?", (cache.key(TEXTS[1]),))
    vectors = embed_documents_cached(embedder, TEXTS, cache)
    assert embedder.batches[-1] == [TEXTS[1]]
    np.testing.assert_array_equal(vectors, HashingEmbedder(16).embed_documents(TEXTS))


def test_concurrent_writers_share_one_cache(tmp_path: Path) -> None:
    embedder = HashingEmbedder(16)
    errors: list[BaseException] = []

    def work(offset: int) -> None:
        try:
            cache = EmbeddingCache.for_embedder(embedder, root=tmp_path)
            texts = [f"passage {n}" for n in range(offset, offset + 200)]
            embed_documents_cached(embedder, texts, cache, batch_size=10)
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n * 100,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and len(EmbeddingCache.for_embedder(embedder, root=tmp_path)) == 500


def test_cached_embedder_is_an_embedder(tmp_path: Path) -> None:
    inner = Counting(HashingEmbedder(16))
    cached = CachedEmbedder(inner, EmbeddingCache.for_embedder(inner, root=tmp_path))
    assert isinstance(cached, Embedder)
    assert (cached.name, cached.dimension, cached.fingerprint) == ("hashing", 16, "hashing-v1-16")
    cached.embed_documents(TEXTS)
    cached.embed_documents(TEXTS)
    assert len(inner.batches) == 1
    assert cached.embed_queries(["q"]).shape == (1, 16)


def test_langchain_adapter() -> None:
    embedder = HashingEmbedder(16)
    adapter = LangChainEmbeddings(embedder)
    assert isinstance(adapter, Embeddings)
    documents = adapter.embed_documents(TEXTS)
    assert len(documents) == 3 and all(len(row) == 16 and isinstance(row[0], float) for row in documents)
    np.testing.assert_allclose(documents, embedder.embed_documents(TEXTS))
    np.testing.assert_allclose(adapter.embed_query(TEXTS[0]), embedder.embed_queries(TEXTS[:1])[0])


def test_load_default_embedder_says_what_to_run_when_the_model_is_missing() -> None:
    with pytest.raises(models.ModelMissingError, match=r"not installed in .*`policyqa models fetch`"):
        load_default_embedder()
    with pytest.raises(ValueError, match="one of"):
        load_default_embedder(dimension=300)


class _FakeSentenceTransformer:
    """Records how SentenceTransformerEmbedder drives sentence-transformers."""

    instances: list[_FakeSentenceTransformer] = []

    def __init__(self, path: str, **kwargs: object) -> None:
        self.path, self.kwargs = path, kwargs
        self.offline = (os.environ.get("HF_HUB_OFFLINE"), os.environ.get("TRANSFORMERS_OFFLINE"))
        self.max_seq_length = 2048
        self.calls: list[tuple[str, dict[str, object]]] = []
        _FakeSentenceTransformer.instances.append(self)

    def get_embedding_dimension(self) -> int:
        return int(self.kwargs["truncate_dim"])  # type: ignore[call-overload]

    def _encode(self, kind: str, texts: list[str], **kwargs: object) -> np.ndarray:
        self.calls.append((kind, kwargs))
        return np.full((len(texts), self.get_embedding_dimension()), 3.0 if kind == "query" else 4.0)

    def encode_query(self, texts: list[str], **kwargs: object) -> np.ndarray:
        return self._encode("query", texts, **kwargs)

    def encode_document(self, texts: list[str], **kwargs: object) -> np.ndarray:
        return self._encode("document", texts, **kwargs)


def test_sentence_transformer_embedder_drives_the_library_offline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_module = types.ModuleType("sentence_transformers")
    fake_module.SentenceTransformer = _FakeSentenceTransformer  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "sentence_transformers", fake_module)
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delenv("TRANSFORMERS_OFFLINE", raising=False)
    _FakeSentenceTransformer.instances = []

    embedder = SentenceTransformerEmbedder(tmp_path, dimension=256, max_seq_length=256, model_sha256="ab" * 32)
    assert not _FakeSentenceTransformer.instances  # lazy: nothing loaded until first use
    threads = [threading.Thread(target=embedder.embed_queries, args=(["q"],)) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    documents = embedder.embed_documents(["a", "b"])

    (model,) = _FakeSentenceTransformer.instances  # loaded once across threads
    assert model.offline == ("1", "1")
    assert model.path == str(tmp_path) and model.kwargs["device"] == "cpu" and model.kwargs["truncate_dim"] == 256
    assert model.max_seq_length == 256
    assert [kind for kind, _ in model.calls] == ["query"] * 8 + ["document"]
    assert model.calls[-1][1]["normalize_embeddings"] is True
    assert documents.shape == (2, 256) and documents.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(documents, axis=1), 1.0, rtol=1e-6)
    assert embedder.embed_documents([]).shape == (0, 256)

    other = SentenceTransformerEmbedder(tmp_path, dimension=256, max_seq_length=512, model_sha256="ab" * 32)
    assert other.fingerprint != embedder.fingerprint
    assert SentenceTransformerEmbedder(tmp_path, 256, 8, 256, "ab" * 32).fingerprint == embedder.fingerprint


@pytest.mark.model
def test_the_real_model_matches_a_french_question_to_an_english_passage(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in _REAL_ENV.items():
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    required = os.environ.get("POLICYQA_REQUIRE_MODEL", "").strip().lower() not in ("", "0", "false", "no")
    if not models.is_installed() and not required:
        pytest.skip(
            f"EmbeddingGemma is not installed in {models.model_dir()}: run `policyqa models fetch` "
            "(or set POLICYQA_REQUIRE_MODEL=1 to make this a failure)"
        )
    embedder = load_default_embedder()  # with POLICYQA_REQUIRE_MODEL set, a missing model fails here
    (query,) = embedder.embed_queries(["Quels sont les droits des enfants migrants ?"])
    children, remittances = embedder.embed_documents(
        [
            "States shall protect the rights of migrant children, including unaccompanied and separated "
            "children, ensuring their access to education, health care and legal guardianship.",
            "Promote faster, safer and cheaper transfer of remittances and foster financial inclusion "
            "of migrants, reducing transaction costs to less than 3 per cent.",
        ]
    )
    assert query.shape == (768,) and abs(float(np.linalg.norm(query)) - 1.0) < 1e-5
    assert float(query @ children) > float(query @ remittances) + 0.1


@pytest.mark.model
def test_a_question_is_embedded_from_a_bounded_number_of_tokens(real_embedder) -> None:
    """2,000 characters of digits, CJK or combining marks are about 2,000 tokens, seconds of
    CPU each; the question is cut to its first and last halves within MAX_QUERY_TOKENS."""
    from policyqa.index.embedder import MAX_QUERY_TOKENS

    tokenizer = real_embedder.model().tokenizer
    follow_up = "Quels droits pour les migrants selon le Pacte mondial ? " * 30 + "et pour les femmes ?"
    for question in ("1234567890 " * 181, "移民儿童的拘留问题是什么" * 166, "e\u0301\u0300\u0302" * 500, follow_up):
        question = question[-2000:]
        assert len(tokenizer(question, add_special_tokens=False)["input_ids"]) > MAX_QUERY_TOKENS
        bounded = real_embedder._bounded(question)
        assert len(tokenizer(bounded, add_special_tokens=False)["input_ids"]) <= MAX_QUERY_TOKENS + 3  # the " … " joint
        assert question.startswith(bounded.split(" … ")[0]) and question.endswith(bounded.split(" … ")[-1])
    # The follow-up's own words, at its end, are kept.
    assert real_embedder._bounded(follow_up).endswith("et pour les femmes ?")
    normal = "Que prévoit le Pacte mondial sur la détention des enfants ?"
    assert real_embedder._bounded(normal) == normal
    assert real_embedder.embed_queries(["1234567890 " * 181]).shape == (1, 768)
