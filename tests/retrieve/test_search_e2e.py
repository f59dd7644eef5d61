"""End to end with the real model: real documents -> real passages -> EmbeddingGemma ->
FAISS + BM25 index on disk -> hybrid retrieval, in French and in English."""

from __future__ import annotations

import json

import pytest
from service_helpers import build_subset_index
from typer.testing import CliRunner

from policyqa.index.store import load_index
from policyqa.retrieve.retriever import Retriever

pytestmark = pytest.mark.model
SUBSET = ["gcm-en", "udhr-en", "udhr-fr", "smuggling-protocol-2000-en", "refugee-convention-1951-en", "rabat-marrakech-2023-fr"]


@pytest.fixture(scope="module")
def index_root(tmp_path_factory, default_embedder):
    return build_subset_index(SUBSET, tmp_path_factory.mktemp("index"), default_embedder)


@pytest.fixture(scope="module")
def retriever(index_root, default_embedder):
    index = load_index(index_root, default_embedder.fingerprint, default_embedder.dimension)
    return Retriever(index, lambda q: default_embedder.embed_queries([q])[0])


def _top(result, n):
    return [(h.passage.doc_id, h.passage.locator) for h in result.hits[:n]]


def test_french_question_finds_the_english_only_gcm_paragraph(retriever):
    result = retriever.search("Que prévoit le Pacte mondial sur la détention des migrants ?", k=5)
    assert result.lang == "fr"
    assert any(doc == "gcm-en" and loc.startswith("Objective 13 › para 29") for doc, loc in _top(result, 3)), _top(result, 5)


def test_english_question_finds_the_smuggling_definition(retriever):
    result = retriever.search("How does the Smuggling Protocol define smuggling of migrants?", k=5)
    assert ("smuggling-protocol-2000-en", "Article 3") in _top(result, 3), _top(result, 5)


def test_words_that_appear_nowhere_in_the_text_still_find_the_provision(retriever):
    # Article 33 says "expel or return (refouler)"; the question says neither.
    result = retriever.search("Can a country send a refugee back to the place where he would be persecuted?", k=5)
    assert ("refugee-convention-1951-en", "Article 33") in _top(result, 5), _top(result, 5)


def test_a_provision_in_both_languages_comes_once_in_the_askers_language(retriever):
    fr = retriever.search("Le droit de chercher asile en cas de persécution", k=5)
    top = fr.hits[0]
    assert (top.passage.doc_id, top.passage.locator) == ("udhr-fr", "Article 14")
    assert [p.doc_id for p in top.other_versions] == ["udhr-en"]
    en = retriever.search("the right to seek asylum from persecution", k=5)
    assert (en.hits[0].passage.doc_id, en.hits[0].passage.locator) == ("udhr-en", "Article 14")
    assert sum(1 for h in en.hits if h.passage.parallel_key == "udhr#art-14") == 1


def test_an_english_question_finds_french_only_rabat_text(retriever):
    result = retriever.search("What is the humane border management meeting of the Rabat Process about?", k=5)
    assert "rabat-marrakech-2023-fr" in [d for d, _ in _top(result, 5)], _top(result, 5)


def test_cli_search_json(index_root, monkeypatch):
    from policyqa.cli.main import app

    monkeypatch.setenv("POLICYQA_INDEX_DIR", str(index_root))
    result = CliRunner().invoke(app, ["search", "détention des enfants migrants", "--k", "3", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["lang"] == "fr" and len(data["hits"]) == 3
    hit = data["hits"][0]
    assert {"rank", "score", "dense", "sparse", "passage", "other_versions"} <= set(hit)
    assert {"id", "doc_id", "lang", "locator", "page_start", "page_end", "text"} <= set(hit["passage"])
    bad = CliRunner().invoke(app, ["search", "   "])
    assert bad.exit_code == 2 and "empty" in bad.output


def test_extractive_answer_in_french_cites_the_gcm_and_declines_what_the_corpus_lacks(retriever):
    from policyqa.answer.citations import quote_is_verbatim
    from policyqa.answer.extractive import ExtractiveAnswerer

    answerer = ExtractiveAnswerer(retriever)
    answer = answerer.answer("Que prévoit le Pacte mondial sur la détention des enfants migrants ?")
    # The provision in French words, and the document by the name of its catalogued French version.
    assert answer.answered and answer.lang == "fr" and answer.text.startswith("Selon le Pacte mondial, Objectif 13, paragraphe 29")
    passages = {p.id: p for p in retriever.index.passages}
    assert all(quote_is_verbatim(c, passages[c.passage_id]) for c in answer.citations)
    declined = answerer.answer("Combien de migrants sont morts en Méditerranée centrale en 2023 selon l'OIM ?")
    assert not declined.answered and declined.text.startswith("Le corpus ne couvre pas cette question")


def test_cli_judges_candidates_with_the_served_model_and_keeps_its_judgements(index_root, monkeypatch, tmp_path):
    from service_helpers import small_llm

    from policyqa.cli.main import app

    monkeypatch.setenv("POLICYQA_INDEX_DIR", str(index_root))
    questions = tmp_path / "dev.jsonl"
    rows = [
        {"id": "d1", "lang": "fr", "question": "Les États peuvent-ils détenir des enfants migrants ?", "answerable": True, "evidence": []},
        {"id": "d2", "lang": "en", "question": "Who is a refugee?", "answerable": True, "evidence": []},
    ]
    questions.write_text("".join(json.dumps(r) + "\n" for r in rows))
    judged = tmp_path / "judged.jsonl"
    monkeypatch.setenv("POLICYQA_LLM_BASE_URL", "http://127.0.0.1:9/v1")
    # The packaged relevance model has no careful setting (eval/README.md): said plainly, first.
    unfitted = CliRunner().invoke(app, ["ask", "Who is a refugee?", "--careful"])
    assert unfitted.exit_code == 1 and "relevance fit --judged" in " ".join(unfitted.output.split())
    with small_llm(tmp_path) as base:
        monkeypatch.setenv("POLICYQA_LLM_BASE_URL", base)
        first = CliRunner().invoke(app, ["relevance", "judge", "--questions", str(questions), "--out", str(judged)])
        assert first.exit_code == 0, first.output
        lines = [json.loads(line) for line in judged.read_text().splitlines()]
        assert len(lines) == 6 and {r["question_id"] for r in lines} == {"d1", "d2"}
        assert all(isinstance(r["log_odds"], float) and r["passage_id"] for r in lines)
        # Judged pairs are kept: a second run adds nothing.
        again = CliRunner().invoke(app, ["relevance", "judge", "--questions", str(questions), "--out", str(judged)])
        assert again.exit_code == 0 and len(judged.read_text().splitlines()) == 6
    sealed = CliRunner().invoke(app, ["relevance", "judge", "--questions", str(tmp_path / "x-sealed.jsonl"), "--out", str(judged)])
    assert sealed.exit_code != 0 and "sealed" in sealed.output
