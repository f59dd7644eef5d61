"""Index build, atomic swap, manifest refusal, fusion, language preference and parallel
collapse, with the deterministic hashing embedder (fast)."""

from __future__ import annotations

import json

import pytest
from index_fixtures import DOCS, PASSAGES, _build, _p, _retriever  # noqa: F401

from policyqa.index.embedder import HashingEmbedder
from policyqa.index.store import IndexMismatchError, IndexMissingError, build_index, current_folder, load_index
from policyqa.retrieve.filters import Filters, QueryError
from policyqa.retrieve.fusion import reciprocal_rank_fusion
from policyqa.retrieve.retriever import Retriever, Weights


def test_reciprocal_rank_fusion_weights_and_ignores_zero_weight_lists():
    fused = reciprocal_rank_fusion([([1, 2, 3], 1.0), ([3, 2], 1.0), ([9], 0.0)], k=60)
    assert set(fused) == {1, 2, 3}
    assert fused[2] == pytest.approx(1 / 62 + 1 / 62)
    assert fused[3] > fused[1]  # two lists agree on 3
    weighted = reciprocal_rank_fusion([([1], 2.0), ([2], 1.0)], k=0)
    assert weighted == {1: 2.0, 2: 1.0}


def test_build_writes_all_parts_and_a_manifest(tmp_path):
    folder = _build(tmp_path)
    assert current_folder(tmp_path) == folder.resolve()
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["passages"] == 6 and manifest["embedding_model"] == "hashing"
    assert manifest["languages"] == {"en": 4, "fr": 2}
    for part in ("dense.faiss", "passages.jsonl", "documents.json", "sparse/sparse.json"):
        assert (folder / part).is_file()
    assert not list((folder / "sparse").rglob("*.pkl"))


def test_loading_refuses_another_model_or_a_missing_index(tmp_path):
    with pytest.raises(IndexMissingError, match="policyqa index build"):
        load_index(tmp_path / "nothing")
    _build(tmp_path)
    with pytest.raises(IndexMismatchError, match="rebuild"):
        load_index(tmp_path, expected_fingerprint="another-model")
    with pytest.raises(IndexMismatchError, match="dimension"):
        load_index(tmp_path, HashingEmbedder().fingerprint, 768)


def test_an_interrupted_build_leaves_the_previous_index_serving(tmp_path):
    first = _build(tmp_path)

    class Exploding(HashingEmbedder):
        def embed_documents(self, texts):
            raise KeyboardInterrupt  # the user pressed Ctrl-C half-way

    with pytest.raises(KeyboardInterrupt):
        _build(tmp_path, Exploding(), PASSAGES[:3])
    assert current_folder(tmp_path) == first.resolve()
    assert not [p for p in (tmp_path / "builds").iterdir() if p.name.startswith(".partial")]
    hits = _retriever(tmp_path).search("remittances", k=1).hits
    assert hits[0].passage.id == "g36"


def test_a_new_build_is_switched_in_and_old_builds_pruned(tmp_path):
    _build(tmp_path)
    import time

    time.sleep(1.1)  # build ids carry the second
    second = _build(tmp_path, passages=PASSAGES[:4])
    assert current_folder(tmp_path) == second.resolve()
    assert len(load_index(tmp_path).passages) == 4


def test_one_hit_per_provision_in_the_askers_language_with_the_other_attached(tmp_path):
    _build(tmp_path)
    retriever = _retriever(tmp_path)
    fr = retriever.search("droit de chercher asile", k=3)
    assert fr.lang == "fr"
    top = fr.hits[0]
    assert top.passage.id == "f14" and [p.id for p in top.other_versions] == ["e14"]
    keys = [h.passage.parallel_key for h in fr.hits if h.passage.parallel_key]
    assert len(keys) == len(set(keys))  # never two hits for the same article
    en = retriever.search("right to seek asylum", k=3)
    assert en.hits[0].passage.id == "e14" and [p.id for p in en.hits[0].other_versions] == ["f14"]
    # An explicit language choice wins over detection.
    forced = retriever.search("right to seek asylum", k=1, lang="fr")
    assert forced.hits[0].passage.id == "f14"


def test_filters_by_document_family_and_language(tmp_path):
    _build(tmp_path)
    retriever = _retriever(tmp_path)
    only_gcm = retriever.search("right", k=5, filters=Filters(families=("gcm",)))
    assert {h.passage.doc_id for h in only_gcm.hits} == {"gcm-en"}
    only_fr = retriever.search("asylum", k=5, filters=Filters(langs=("fr",)))
    assert {h.passage.lang for h in only_fr.hits} == {"fr"}
    one_doc = retriever.search("asylum", k=5, filters=Filters(doc_ids=("udhr-en",)))
    assert {h.passage.doc_id for h in one_doc.hits} == {"udhr-en"}


def test_bad_queries_get_clear_messages(tmp_path):
    _build(tmp_path)
    retriever = _retriever(tmp_path)
    with pytest.raises(QueryError, match="empty"):
        retriever.search("   ")
    with pytest.raises(QueryError, match="shorten"):
        retriever.search("asile " * 10_000)
    with pytest.raises(QueryError, match="unknown document"):
        retriever.search("asile", filters=Filters(doc_ids=("nope",)))
    with pytest.raises(QueryError, match="famil"):
        retriever.search("asile", filters=Filters(families=("nope",)))
    # A question in another language is still searched (the dense side is multilingual).
    assert retriever.search("¿Cuál es el derecho de asilo?", k=2).hits


def test_bm25_only_and_dense_only_weightings(tmp_path):
    _build(tmp_path)
    sparse = _retriever(tmp_path, Weights(dense=0.0, sparse_same=1.0, sparse_other=1.0, units=0.0)).search("remittances", k=2)
    assert sparse.hits[0].passage.id == "g36" and sparse.hits[0].dense == 0.0
    dense = _retriever(tmp_path, Weights(sparse_same=0.0, sparse_other=0.0, units=0.0)).search("remittances", k=6)
    assert len(dense.hits) == 4  # six passages, of which two pairs of parallel articles: four provisions


def test_langchain_retriever_adapter(tmp_path):
    from policyqa.retrieve.langchain_adapter import PolicyRetriever

    _build(tmp_path)
    docs = PolicyRetriever(retriever=_retriever(tmp_path), k=2).invoke("droit de chercher asile")
    assert len(docs) == 2
    assert docs[0].metadata["passage_id"] == "f14" and docs[0].metadata["locator"] == "Article 14"
    assert docs[0].metadata["other_versions"][0]["lang"] == "en"


def test_a_named_provision_is_found_even_when_the_words_differ(tmp_path):
    from dataclasses import replace

    docs = [replace(d, aliases=("Pacte mondial", "Global Compact")) if d.id == "gcm-en" else d for d in DOCS]
    embedder = HashingEmbedder()
    build_index(list(PASSAGES), docs, embedder.embed_documents, embedder.name, embedder.fingerprint, embedder.dimension, tmp_path)
    retriever = _retriever(tmp_path)
    named = retriever.search("Que dit le paragraphe 36 du Pacte mondial ?", k=1)
    assert named.hits[0].passage.id == "g36"
    article = retriever.search("What does article 13 say?", k=1)
    assert article.hits[0].passage.locator == "Article 13"


def test_cli_explains_a_missing_index_and_missing_model_files(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from policyqa.cli.main import app

    monkeypatch.setenv("POLICYQA_INDEX_DIR", str(tmp_path / "no-index"))
    monkeypatch.setenv("POLICYQA_EMBEDDER", "hashing")
    missing_index = CliRunner().invoke(app, ["search", "asile"])
    assert missing_index.exit_code == 1 and "policyqa index build" in missing_index.output
    monkeypatch.setenv("POLICYQA_EMBEDDER", "embeddinggemma")
    monkeypatch.setenv("POLICYQA_CACHE_DIR", str(tmp_path / "empty-cache"))
    monkeypatch.delenv("POLICYQA_EMBEDDING_MODEL_DIR", raising=False)
    missing_model = CliRunner().invoke(app, ["search", "asile"])
    assert missing_model.exit_code == 1 and "policyqa models fetch" in missing_model.output
    assert "Traceback" not in missing_model.output
    # The ONNX encoder, never made in that cache, says the same.
    monkeypatch.setenv("POLICYQA_EMBEDDER", "embeddinggemma-onnx")
    missing_encoder = CliRunner().invoke(app, ["search", "asile"])
    assert missing_encoder.exit_code == 1 and "policyqa models fetch" in missing_encoder.output
    assert "Traceback" not in missing_encoder.output


def test_cli_builds_an_index_and_searches_it(tmp_path, monkeypatch):
    import json as json_mod

    from conftest import require_shared_corpus
    from typer.testing import CliRunner

    from policyqa.cli.main import app

    root = require_shared_corpus()
    local = tmp_path / "local"
    local.mkdir()
    catalog = tmp_path / "catalog.toml"
    catalog.write_text(
        '[[document]]\nid = "udhr-en"\ntitle = "Universal Declaration of Human Rights"\nlang = "en"\n'
        'family = "udhr"\nparallel_group = "udhr"\npath = "parallel/udhr-en.txt"\n\n'
        '[[document]]\nid = "udhr-fr"\ntitle = "Déclaration universelle des droits de l’homme"\nlang = "fr"\n'
        'family = "udhr"\nparallel_group = "udhr"\npath = "parallel/udhr-fr.txt"\n',
        encoding="utf-8",
    )
    for name, value in {
        "POLICYQA_CATALOG": catalog,
        "POLICYQA_CORPUS_ROOTS": root,
        "POLICYQA_LOCAL_CORPUS": local,
        "POLICYQA_INDEX_DIR": tmp_path / "index",
        "POLICYQA_CACHE_DIR": tmp_path / "cache",
        "POLICYQA_EMBEDDER": "hashing",
    }.items():
        monkeypatch.setenv(name, str(value))
    built = CliRunner().invoke(app, ["index", "build"])
    assert built.exit_code == 0, built.output
    status = CliRunner().invoke(app, ["index", "status", "--json"])
    assert json_mod.loads(status.stdout)["passages"] == 62
    found = CliRunner().invoke(app, ["search", "Article 14 asile", "--lang", "fr", "--json", "--k", "1"])
    hit = json_mod.loads(found.stdout)["hits"][0]
    assert hit["passage"]["locator"] == "Article 14" and hit["passage"]["lang"] == "fr"
    assert hit["other_versions"][0]["lang"] == "en"
    wrong = CliRunner().invoke(app, ["search", "asile", "--doc", "nope"])
    assert wrong.exit_code == 2 and "unknown document" in wrong.output


def test_passages_are_also_ranked_by_their_closest_unit(tmp_path):
    # One line about consular notification inside a long passage on other matters: the
    # passage's own vector averages its lines, its closest unit does not.
    long_text = "\n".join(
        [f"{i}. States shall cooperate on border data, vessels, carriers and training, item {i}." for i in range(1, 9)]
        + ["9. A detained migrant shall be informed without delay of consular notification."]
    )
    passages = PASSAGES + [_p("s16", "gcm-en", "en", "Article 16", long_text)]
    _build(tmp_path, passages=passages)
    embedder = HashingEmbedder()
    index = load_index(tmp_path, embedder.fingerprint, embedder.dimension)
    query = embedder.embed_queries(["detained migrant informed without delay of consular notification"])[0]
    best = index.passage_unit_scores(query)
    row = index.row_of["s16"]
    assert best[row] == pytest.approx(max(index.unit_scores(row, query)))
    assert best[row] > float(index.dense.reconstruct(row) @ query)
    units_only = _retriever(tmp_path, Weights(dense=0.0, sparse_same=0.0, sparse_other=0.0, mention=0.0, units=1.0))
    assert units_only.search("detained migrant informed without delay of consular notification", k=1).hits[0].passage.id == "s16"
    index.unit_vectors = index.unit_rows = None  # a build made before unit vectors existed
    assert index.passage_unit_scores(query) is None
    assert Retriever(index, lambda q: embedder.embed_queries([q])[0]).search("consular notification", k=3).hits
