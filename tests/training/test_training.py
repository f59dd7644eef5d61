"""Training material without the real model: definitions and links found in real treaty
texts, handouts rendered to Markdown and PDF, atomic output, quiz determinism, session
records, and the CLI's answers to bad input — over a hashing-embedder index of real passages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import REPO, require_shared_corpus
from training_checks import PASSAGE_ID, assert_pages_not_blank, assert_quotes_verbatim, pdf_text
from typer.testing import CliRunner

from policyqa.answer.relevance import AnswerSettings
from policyqa.corpus import catalog, ingest
from policyqa.index.embedder import HashingEmbedder
from policyqa.index.store import build_index, load_index
from policyqa.retrieve.filters import QueryError
from policyqa.retrieve.retriever import Retriever
from policyqa.training import definitions, links
from policyqa.training.handout import Handout, Heading, Para, Quote
from policyqa.training.layout import pack_handout, quiz_handout, quiz_json
from policyqa.training.output import OutputError, targets, write_handout
from policyqa.training.pack import build_pack
from policyqa.training.quiz import build_quiz
from policyqa.training.render_md import render_markdown
from policyqa.training.topics import find_theme, queries
from policyqa.training.transcript import transcript_handout
from policyqa.types import Answer, Citation

DOCS = [
    "trafficking-protocol-2000-en",
    "smuggling-protocol-2000-en",
    "refugee-convention-1951-en",
    "refugee-protocol-1967-en",
    "udhr-en",
    "udhr-fr",
    "la-declaration-en",
    "la-declaration-fr",
]
# The hashing embedder's cosines are not EmbeddingGemma's: these thresholds only let the
# plumbing be tested; the calibrated ones are tested with the real model.
LOOSE = AnswerSettings(min_dense=0.12, min_dense_cross=0.12)
STRICT = AnswerSettings(min_dense=0.99, min_dense_cross=0.99)


@pytest.fixture(scope="module")
def corpus():
    root = require_shared_corpus()
    docs = catalog.select(catalog.load_catalog([REPO / "corpus" / "catalog.toml"]), ids=DOCS)
    return docs, ingest.ingest(docs, (root,)).passages


@pytest.fixture(scope="module")
def index_root(corpus, tmp_path_factory):
    docs, passages = corpus
    embedder = HashingEmbedder()
    root = tmp_path_factory.mktemp("hashing-index")
    build_index(passages, docs, embedder.embed_documents, embedder.name, embedder.fingerprint, embedder.dimension, root)
    return root


@pytest.fixture(scope="module")
def retriever(index_root):
    embedder = HashingEmbedder()
    index = load_index(index_root, embedder.fingerprint, embedder.dimension)
    return Retriever(index, lambda q: embedder.embed_queries([q])[0])


def _passages(retriever):
    return {p.id: p for p in retriever.index.passages}


def test_definitions_are_found_in_the_protocols_and_the_refugee_convention(corpus):
    _, passages = corpus
    found = {(d.passage.doc_id, d.term) for d in definitions.in_passages(passages)}
    assert ("trafficking-protocol-2000-en", "Trafficking in persons") in found
    assert ("trafficking-protocol-2000-en", "Child") in found
    assert ("smuggling-protocol-2000-en", "Smuggling of migrants") in found
    assert ("smuggling-protocol-2000-en", "Illegal entry") in found
    assert ("refugee-convention-1951-en", "refugee") in found
    for d in definitions.in_passages(passages):
        assert d.term.lower() in d.quote.lower()
        assert all(" ".join(piece.split()) in " ".join(d.passage.text.split()) for piece in d.quote.split("…") if piece.strip())
    child = next(d for d in definitions.in_passages(passages) if d.term == "Child")
    assert child.quote == 'For the purposes of this Protocol: … (d) “Child" shall mean any person under eighteen years of age.'
    # A definition stops where the next lettered term starts.
    fraudulent = next(d for d in definitions.in_passages(passages) if d.term.startswith("Fraudulent"))
    assert "Vessel" not in fraudulent.quote


def test_french_definitions_and_terms_are_detected():
    from policyqa.types import Passage

    p = Passage(
        id="x",
        doc_id="d",
        lang="fr",
        locator="Article 2",
        text="Aux fins du présent Protocole :\na) « Trafic illicite de migrants » désigne "
        "le fait d’assurer l’entrée illégale d’une personne ;",
    )
    (d,) = definitions.in_passage(p)
    assert d.term == "Trafic illicite de migrants" and d.quote.startswith("Aux fins du présent Protocole :")


def test_links_name_the_instrument_another_text_refers_to(corpus):
    docs, passages = corpus
    documents = {d.id: d for d in docs}
    found = links.find_links(passages, documents, "en")
    pairs = {(link.passage.doc_id, link.target.id) for link in found}
    assert ("refugee-protocol-1967-en", "refugee-convention-1951-en") in pairs
    assert ("la-declaration-en", "trafficking-protocol-2000-en") in pairs
    for link in found:
        assert " ".join(link.quote.split()) in " ".join(link.passage.text.split())
    # In a French pack the UDHR is named by its French version when the index has it.
    assert all(link.target.id != "udhr-en" for link in links.find_links(passages, documents, "fr"))


def test_themes_give_queries_in_both_languages():
    tq = queries("enfants migrants", "fr")
    assert tq.theme and tq.theme.key == "children"
    assert "migrant children" in tq.queries and "enfants migrants" in tq.queries
    assert find_theme("Trafficking versus smuggling").key == "trafficking-smuggling"
    assert find_theme("detention as a last resort").key == "detention"
    assert find_theme("jardinage urbain") is None
    assert queries("jardinage urbain", "fr").queries[0] == "jardinage urbain"


def test_pack_quotes_verbatim_and_renders_to_readable_pdf_and_markdown(retriever, tmp_path):
    pack = build_pack(retriever, "trafficking and smuggling", "en", settings=LOOSE)
    assert pack.covered and pack.provisions and pack.questions
    assert {d.term for d in pack.definitions} >= {"Trafficking in persons", "Smuggling of migrants"}
    handout = pack_handout(pack, date="2026-01-01")
    paths = write_handout(handout, tmp_path / "pack.pdf")
    assert [p.name for p in paths] == ["pack.pdf", "pack.md"]
    assert assert_pages_not_blank(paths[0], tmp_path) >= 1
    assert assert_quotes_verbatim(paths[0], handout, _passages(retriever)) >= len(pack.provisions)
    markdown = paths[1].read_text(encoding="utf-8")
    assert markdown.startswith("# Training pack: trafficking and smuggling")
    assert "## Key provisions" in markdown and "## Definitions" in markdown and "## Discussion questions" in markdown


def test_a_topic_the_corpus_does_not_cover_gives_a_short_pack_that_says_so(retriever, tmp_path):
    for lang, expected in (
        ("fr", "Les textes disponibles ne traitent pas de ce thème"),
        ("en", "The available texts do not deal with this topic"),
    ):
        pack = build_pack(retriever, "cryptocurrency taxation of football transfers", lang, settings=STRICT)
        assert not pack.covered and not pack.groups and not pack.definitions and not pack.questions
        handout = pack_handout(pack)
        assert not handout.quotes()
        paths = write_handout(handout, tmp_path / f"none-{lang}")
        assert expected in pdf_text(paths[0], handout) and expected in paths[1].read_text(encoding="utf-8")
        assert assert_pages_not_blank(paths[0], tmp_path) == 1


def test_unknown_document_filter_is_refused_by_name(retriever):
    with pytest.raises(QueryError, match="no-such-doc"):
        build_pack(retriever, "trafficking", "en", doc_ids=("no-such-doc",))


def test_quiz_is_deterministic_for_a_seed_and_its_answers_match_their_citations(retriever):
    first = build_quiz(retriever, "trafficking and smuggling", "en", count=6, seed=3, settings=LOOSE)
    again = build_quiz(retriever, "trafficking and smuggling", "en", count=6, seed=3, settings=LOOSE)
    assert first == again and len(first.items) == 6
    passages = _passages(retriever)
    for item in first.items:
        cited = passages[item.citation.passage_id]
        assert item.choice_sources[item.answer] in (cited.id, cited.doc_id)
        assert len(set(item.choices)) == len(item.choices) == 4
        if item.kind == "definition":
            assert item.choices[item.answer].startswith(item.citation.document_name) and item.subject["term"] in cited.text
        if item.kind == "article":
            assert cited.locator.startswith(item.choices[item.answer])
    other = build_quiz(retriever, "trafficking and smuggling", "en", count=6, seed=4, settings=LOOSE)
    assert [i.citation.passage_id for i in other.items] == [i.citation.passage_id for i in first.items]
    assert [i.choices for i in other.items] != [i.choices for i in first.items]


def test_quiz_without_answers_gives_nothing_away(retriever, tmp_path):
    quiz = build_quiz(retriever, "trafficking and smuggling", "en", count=4, seed=1, settings=LOOSE)
    handout = quiz_handout(quiz, answers=False)
    assert not handout.quotes()
    data = quiz_json(quiz, answers=False)
    assert all("answer" not in item and "citation" not in item for item in data["items"])
    paths = write_handout(handout, tmp_path / "quiz", data)
    text = pdf_text(paths[0], handout)
    assert "Answer key" not in text and not PASSAGE_ID.search(text)
    assert json.loads(paths[2].read_text(encoding="utf-8"))["answers"] is False


def _answer(lang: str) -> Answer:
    cite = Citation(
        "[1]",
        "4f2a9c0e1b7d3a65",
        "udhr-fr",
        "DUDH",
        "A/RES/217 A (III)",
        "Article 14",
        "3",
        "toute personne a le droit de chercher asile",
        "fr",
    )
    return Answer("Selon DUDH, Article 14, p. 3 :\n« toute personne a le droit de chercher asile » [1]", lang, (cite,), True)


def test_transcript_resolves_every_citation(tmp_path):
    from policyqa.types import Passage

    passage = Passage(
        id="4f2a9c0e1b7d3a65",
        doc_id="udhr-fr",
        lang="fr",
        locator="Article 14",
        text="Devant la persécution, toute personne a le droit de chercher asile et de bénéficier de l’asile en d’autres pays.",
        page_start=3,
    )
    declined = Answer(
        "Le corpus ne couvre pas cette question.",
        "fr",
        (),
        False,
        see_also=(Citation("[1]", "4f2a9c0e1b7d3a65", "udhr-fr", "DUDH", "", "Article 14", "3", "Devant la …", "fr"),),
    )
    handout = transcript_handout([("Le droit d’asile ?", _answer("fr")), ("Combien de morts en 2023 ?", declined)])
    assert handout.lang == "fr" and handout.title == "Compte rendu de séance"
    paths = write_handout(handout, tmp_path / "session.md")
    assert assert_quotes_verbatim(paths[0], handout, {"4f2a9c0e1b7d3a65": passage}) == 1
    text = pdf_text(paths[0], handout)
    assert "Passages les plus proches" in text and "DUDH (A/RES/217 A (III)), Article 14, p. 3" in text


def test_output_is_all_or_nothing(tmp_path):
    handout = Handout("T", "en", (Heading("H"), Para("text"), Quote("q", "S · passage 0123456789abcdef", "en")))
    assert [p.name for p in targets(Path("a/b.pdf"), True)] == ["b.pdf", "b.md", "b.json"]
    with pytest.raises(OutputError, match="does not exist"):
        write_handout(handout, tmp_path / "missing" / "x.pdf")
    (tmp_path / "x.md").mkdir()  # the Markdown cannot be written: the PDF must not appear either
    with pytest.raises(OutputError, match="x.md"):
        write_handout(handout, tmp_path / "x.pdf")
    assert not (tmp_path / "x.pdf").exists() and not list(tmp_path.glob(".*.part"))
    assert "> “q”" in render_markdown(handout)


def _said(result) -> str:
    return " ".join(result.output.split())  # rich wraps long messages at the terminal width


@pytest.fixture()
def cli_env(index_root, monkeypatch):
    monkeypatch.setenv("POLICYQA_INDEX_DIR", str(index_root))
    monkeypatch.setenv("POLICYQA_EMBEDDER", "hashing")


def test_cli_bad_input_exits_2_with_a_clear_message(cli_env, tmp_path):
    from policyqa.cli.main import app

    runner = CliRunner()
    unknown = runner.invoke(app, ["training", "pack", "--topic", "trafficking", "--doc", "no-such-doc", "--out", str(tmp_path / "p.pdf")])
    assert unknown.exit_code == 2 and "no-such-doc" in _said(unknown)
    assert not (tmp_path / "p.pdf").exists()
    lang = runner.invoke(app, ["training", "quiz", "--topic", "x", "--lang", "de", "--out", str(tmp_path / "q.pdf")])
    assert lang.exit_code == 2 and "--lang" in _said(lang)
    empty = runner.invoke(app, ["training", "pack", "--topic", "  ", "--out", str(tmp_path / "p.pdf")])
    assert empty.exit_code == 2 and "--topic is empty" in _said(empty)
    missing = runner.invoke(app, ["training", "pack", "--topic", "x", "--out", str(tmp_path / "nowhere" / "p.pdf")])
    assert missing.exit_code == 2 and "does not exist" in _said(missing)


def test_cli_pack_and_quiz_write_their_files(cli_env, tmp_path):
    from policyqa.cli.main import app

    runner = CliRunner()
    pack = runner.invoke(
        app,
        [
            "training",
            "pack",
            "--topic",
            "traite des personnes",
            "--lang",
            "fr",
            "--doc",
            "trafficking-protocol-2000-en",
            "--out",
            str(tmp_path / "p.pdf"),
        ],
    )
    assert pack.exit_code == 0, pack.output
    markdown = (tmp_path / "p.md").read_text(encoding="utf-8")
    assert markdown.startswith("# Dossier de formation") and "trafficking-protocol-2000-en" in markdown
    assert (tmp_path / "p.pdf").read_bytes().startswith(b"%PDF")
    quiz = runner.invoke(
        app,
        [
            "training",
            "quiz",
            "--topic",
            "trafficking",
            "--lang",
            "en",
            "--count",
            "3",
            "--seed",
            "2",
            "--no-answers",
            "--json",
            "--out",
            str(tmp_path / "q"),
        ],
    )
    assert quiz.exit_code == 0, quiz.output
    data = json.loads((tmp_path / "q.json").read_text(encoding="utf-8"))
    assert data["answers"] is False and data["seed"] == 2 and sorted(p.name for p in tmp_path.glob("q.*")) == ["q.json", "q.md", "q.pdf"]


def test_cli_transcript_from_a_stored_conversation(tmp_path, monkeypatch):
    from policyqa.cli.main import app
    from policyqa.conversation.store import ConversationStore

    store = ConversationStore(tmp_path / "c.sqlite3")
    conversation = store.new_conversation().id
    store.add_turn(conversation, "Le droit d’asile ?", "Le droit d’asile ?", _answer("fr"))
    runner = CliRunner()
    result = runner.invoke(
        app,
        ["training", "transcript", "--conversation", conversation, "--db", str(tmp_path / "c.sqlite3"), "--out", str(tmp_path / "t.pdf")],
    )
    assert result.exit_code == 0, result.output
    assert "toute personne a le droit de chercher asile" in (tmp_path / "t.md").read_text(encoding="utf-8")
    unknown = runner.invoke(
        app, ["training", "transcript", "--conversation", "nope", "--db", str(tmp_path / "c.sqlite3"), "--out", str(tmp_path / "u.pdf")]
    )
    assert unknown.exit_code == 2 and "nope" in _said(unknown)
