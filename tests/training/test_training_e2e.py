"""Training material end to end with the real model, in French and in English: real documents
-> EmbeddingGemma index -> topic packs, quizzes and session records -> PDF and Markdown, read
back with pypdf and checked quote by quote against the passages they cite."""

from __future__ import annotations

import json
import re

import pytest
from service_helpers import build_subset_index
from training_checks import (
    ENGLISH_LABELS,
    PASSAGE_ID,
    assert_no_stranded_headings,
    assert_pages_not_blank,
    assert_quotes_verbatim,
    french_prose,
    norm,
    pdf_text,
    quote_is_in,
)
from typer.testing import CliRunner

from policyqa.answer.extractive import ExtractiveAnswerer
from policyqa.answer.phrases import phrase as answer_phrase
from policyqa.index.store import load_index
from policyqa.retrieve.retriever import Retriever
from policyqa.training.layout import pack_handout, quiz_handout, quiz_json
from policyqa.training.output import write_handout
from policyqa.training.pack import build_pack
from policyqa.training.quiz import build_quiz
from policyqa.training.transcript import transcript_handout

pytestmark = pytest.mark.model
SUBSET = [
    "gcm-en",
    "a-res-80-218-en",
    "a-res-78-217-en",
    "a-res-80-228-en",
    "trafficking-protocol-2000-en",
    "smuggling-protocol-2000-en",
    "refugee-convention-1951-en",
    "refugee-protocol-1967-en",
    "udhr-en",
    "udhr-fr",
    "la-declaration-en",
    "la-declaration-fr",
    "rabat-marrakech-2023-fr",
]


@pytest.fixture(scope="module")
def index_root(tmp_path_factory, default_embedder):
    return build_subset_index(SUBSET, tmp_path_factory.mktemp("index"), default_embedder)


@pytest.fixture(scope="module")
def retriever(index_root, default_embedder):
    index = load_index(index_root, default_embedder.fingerprint, default_embedder.dimension)
    return Retriever(index, lambda q: default_embedder.embed_queries([q])[0])


@pytest.fixture(scope="module")
def passages(retriever):
    return {p.id: p for p in retriever.index.passages}


def test_french_pack_on_migrant_children(retriever, passages, tmp_path):
    pack = build_pack(retriever, "enfants migrants", "fr")
    assert pack.covered and len(pack.provisions) >= 6 and len(pack.groups) >= 2
    assert "gcm-en" in {g.document.id for g in pack.groups}
    assert all(re.search(r"\bchild", p.passage.text, re.I) for p in pack.provisions[:6])
    assert "Child" in {d.term for d in pack.definitions}
    assert pack.other_language and len(pack.questions) >= 3
    handout = pack_handout(pack)
    pdf, md = write_handout(handout, tmp_path / "enfants.pdf")
    assert assert_pages_not_blank(pdf, tmp_path) >= 2
    assert assert_quotes_verbatim(pdf, handout, passages) >= len(pack.provisions) + len(pack.definitions)
    # Page by page: no heading left at the foot of a page, no internal id printed.
    assert_no_stranded_headings(pdf, handout)
    text = pdf_text(pdf, handout)
    assert not PASSAGE_ID.search(text) and not re.search(r"\b[0-9a-f]{16}\b", text)
    # Treaties first, each instrument with its legal nature.
    natures = [b.text for b in handout.blocks if getattr(b, "level", 0) == 2 and "contraignant" in getattr(b, "text", "")]
    assert natures and natures == sorted(natures, key=lambda t: "contraignant pour les États parties" not in t)
    for heading in ("Dispositions clés", "Définitions", "Liens entre les instruments", "Questions pour la discussion"):
        assert heading in text and f"## {heading}" in md.read_text(encoding="utf-8")
    # The answers' note after an English quote, and the provisions under their French labels.
    assert norm(answer_phrase("fr", "quote_other_language")) in text
    assert not ENGLISH_LABELS.search(french_prose(md.read_text(encoding="utf-8")))
    # Every discussion question names a provision or a term the pack quotes, as the pack labels it.
    names = pack.names
    quoted = (
        {names.label(p.passage) for p in pack.provisions}
        | {names.label(d.passage) for d in pack.definitions}
        | {names.label(link.passage) for link in pack.links}
    )
    assert sum(any(loc in q for loc in quoted) for q in pack.questions) >= len(pack.questions) - 1


def test_english_pack_on_trafficking_and_smuggling(retriever, passages, tmp_path):
    pack = build_pack(retriever, "trafficking versus smuggling", "en")
    assert pack.covered
    ids = {g.document.id for g in pack.groups}
    assert {"trafficking-protocol-2000-en", "smuggling-protocol-2000-en"} <= ids | {d.passage.doc_id for d in pack.definitions}
    assert {"Trafficking in persons", "Smuggling of migrants"} <= {d.term for d in pack.definitions}
    assert any("Compare the definitions" in q for q in pack.questions)
    handout = pack_handout(pack)
    pdf, _ = write_handout(handout, tmp_path / "traffic.pdf")
    assert_pages_not_blank(pdf, tmp_path)
    assert assert_quotes_verbatim(pdf, handout, passages) >= len(pack.provisions)
    assert_no_stranded_headings(pdf, handout)


@pytest.mark.parametrize(
    "lang,topic,expected",
    [
        ("fr", "fiscalité des cryptomonnaies", "Les textes disponibles ne traitent pas de ce thème"),
        ("en", "football world cup results", "The available texts do not deal with this topic"),
    ],
)
def test_uncovered_topic_gives_a_one_page_pack_that_says_so(retriever, tmp_path, lang, topic, expected):
    pack = build_pack(retriever, topic, lang)
    assert not pack.covered and not pack.provisions
    handout = pack_handout(pack)
    pdf, _ = write_handout(handout, tmp_path / "none.pdf")
    assert assert_pages_not_blank(pdf, tmp_path) == 1
    text = pdf_text(pdf, handout)
    assert expected in text and not PASSAGE_ID.search(text)


def _check_quiz_item(item, passages, quiz):
    cited = passages[item.citation.passage_id]
    names = quiz.names
    assert item.choice_sources[item.answer] in (cited.id, cited.doc_id)
    assert quote_is_in(item.citation.quote, cited)
    if item.quote:
        assert item.quote == item.citation.quote
    answer = item.choices[item.answer]
    assert item.citation.label == names.label(cited)  # the answer key's label, in the quiz's language
    if item.kind == "gcm-objective":
        number = re.match(r"Objecti(?:ve|f) (\d+)", answer).group(1)
        assert names.objective(cited.context) == answer and cited.locator.startswith(f"Objective {number} ")
    elif item.kind == "definition":
        assert cited.doc_id == item.choice_sources[item.answer] and item.subject["term"] in cited.text
    elif item.kind == "article":
        document = names.held[cited.doc_id]
        assert names.article(document, " ".join(cited.locator.split(" ")[:2])) == answer
    elif item.kind == "operative-paragraph":
        assert cited.locator.startswith(f"op. {item.subject['paragraph']}") and quote_is_in(answer, cited)
        for choice, source in zip(item.choices, item.choice_sources):  # distractors are real paragraphs too
            assert quote_is_in(choice, passages[source])


def test_english_quiz_on_trafficking_and_smuggling(retriever, passages, tmp_path):
    quiz = build_quiz(retriever, "trafficking and smuggling", "en", count=10, seed=7)
    assert quiz.covered and len(quiz.items) == 10
    assert {i.kind for i in quiz.items} == {"definition", "article", "gcm-objective", "operative-paragraph"}
    for item in quiz.items:
        _check_quiz_item(item, passages, quiz)
    assert quiz == build_quiz(retriever, "trafficking and smuggling", "en", count=10, seed=7)
    handout = quiz_handout(quiz)
    pdf, md, js = write_handout(handout, tmp_path / "quiz.pdf", quiz_json(quiz))
    assert_pages_not_blank(pdf, tmp_path)
    assert assert_quotes_verbatim(pdf, handout, passages) == 10
    text = pdf_text(pdf, handout)
    for n, item in enumerate(quiz.items, 1):
        assert f"{n}. Answer {'ABCD'[item.answer]}:" in text
    data = json.loads(js.read_text(encoding="utf-8"))
    assert [i["citation"]["passage_id"] for i in data["items"]] == [i.citation.passage_id for i in quiz.items]


def test_french_quiz_on_detention(retriever, passages, tmp_path):
    quiz = build_quiz(retriever, "la détention des migrants en dernier recours", "fr", count=6, seed=1)
    assert quiz.covered and len(quiz.items) >= 4
    for item in quiz.items:
        _check_quiz_item(item, passages, quiz)
    handout = quiz_handout(quiz)
    pdf, _ = write_handout(handout, tmp_path / "quiz-fr.pdf")
    assert_pages_not_blank(pdf, tmp_path)
    assert assert_quotes_verbatim(pdf, handout, passages) == len(quiz.items)
    text = pdf_text(pdf, handout)
    assert "Corrigé" in text and "Question 1" in text
    plain = quiz_handout(quiz, answers=False)
    pdf, _ = write_handout(plain, tmp_path / "quiz-fr-plain.pdf")
    assert "Corrigé" not in pdf_text(pdf, plain) and not PASSAGE_ID.search(pdf_text(pdf, plain))


@pytest.mark.parametrize(
    "lang,questions",
    [
        (
            "fr",
            [
                "Que prévoit le Pacte mondial sur la détention des enfants migrants ?",
                "Combien de migrants sont morts en Méditerranée centrale en 2023 selon l'OIM ?",
            ],
        ),
        (
            "en",
            [
                "How does the Smuggling Protocol define smuggling of migrants?",
                "Can a country send a refugee back to the place where he would be persecuted?",
            ],
        ),
    ],
)
def test_session_record_resolves_every_citation(retriever, passages, tmp_path, lang, questions):
    answerer = ExtractiveAnswerer(retriever)
    turns = [(q, answerer.answer(q)) for q in questions]
    assert any(a.citations for _, a in turns)
    handout = transcript_handout(turns, documents=retriever.index.documents, passages=passages)
    assert handout.lang == lang
    pdf, md = write_handout(handout, tmp_path / f"session-{lang}.pdf")
    assert_pages_not_blank(pdf, tmp_path)
    cited = sum(len(a.citations) for _, a in turns)
    assert assert_quotes_verbatim(pdf, handout, passages) == cited
    text = pdf_text(pdf, handout)
    for _, answer in turns:
        for c in answer.citations:  # named as the answer named it, in the record's language
            assert norm(c.label) in text and c.passage_id in text


def test_cli_pack_with_the_real_index(index_root, tmp_path, monkeypatch):
    from policyqa.cli.main import app

    monkeypatch.setenv("POLICYQA_INDEX_DIR", str(index_root))
    result = CliRunner().invoke(
        app, ["training", "pack", "--topic", "consular assistance", "--lang", "en", "--out", str(tmp_path / "consular.pdf")]
    )
    assert result.exit_code == 0, result.output
    assert "## Key provisions" in (tmp_path / "consular.md").read_text(encoding="utf-8")
    none = CliRunner().invoke(
        app, ["training", "pack", "--topic", "fiscalité des cryptomonnaies", "--lang", "fr", "--out", str(tmp_path / "none")]
    )
    assert none.exit_code == 0 and "ne traitent pas de ce thème" in (tmp_path / "none.md").read_text(encoding="utf-8")
    bad = CliRunner().invoke(app, ["training", "quiz", "--topic", "x", "--doc", "gcm-fr-missing", "--out", str(tmp_path / "q")])
    assert bad.exit_code == 2 and "gcm-fr-missing" in " ".join(bad.output.split())
