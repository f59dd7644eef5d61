"""The training material names provisions and documents as the answers do: a French pack,
quiz, case exercise or session record says « paragraphe 5 a) et b) du dispositif », « Objectif
13, paragraphe 29 g) et h) », « le Pacte mondial », with the answers' note after a quote in
English; English material keeps its labels, "op. 5" written "operative para 5" as the answers
write it. Real passages, a hashing-embedder index (no model)."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from conftest import REPO, require_shared_corpus
from training_checks import ENGLISH_LABELS, assert_quotes_verbatim, french_prose, norm, pdf_text

from policyqa.answer.citations import Source, make_citation
from policyqa.answer.phrases import phrase as answer_phrase
from policyqa.answer.relevance import AnswerSettings
from policyqa.corpus import catalog, ingest
from policyqa.index.embedder import HashingEmbedder
from policyqa.index.store import build_index, load_index
from policyqa.retrieve.retriever import Retriever
from policyqa.training import definitions
from policyqa.training.discussion import discussion_questions
from policyqa.training.handout import Quote, quote_marks
from policyqa.training.layout import pack_handout, quiz_handout, quiz_json
from policyqa.training.material import Provision
from policyqa.training.naming import Naming
from policyqa.training.output import write_handout
from policyqa.training.pack import InstrumentGroup, Pack
from policyqa.training.quiz import build_quiz
from policyqa.training.render_md import render_markdown
from policyqa.training.transcript import transcript_handout
from policyqa.types import Answer

DOCS = ["gcm-en", "a-res-78-217-en", "a-res-80-218-en", "udhr-en", "udhr-fr", "trafficking-protocol-2000-en"]
LOOSE = AnswerSettings(min_dense=0.12, min_dense_cross=0.12)
NOT_HELD = norm(answer_phrase("fr", "quote_other_language"))  # « … aucune version française dans le corpus »
HELD = norm(answer_phrase("fr", "quote_other_language_held"))  # « … la version française … est aussi dans le corpus »


@pytest.fixture(scope="module")
def retriever(tmp_path_factory):
    root = require_shared_corpus()
    every = catalog.load_catalog([REPO / "corpus" / "catalog.toml"])
    docs = catalog.select(every, ids=DOCS)
    passages = ingest.ingest(docs, (root,)).passages
    embedder = HashingEmbedder()
    folder = tmp_path_factory.mktemp("labels-index")
    # The whole catalogue, as `policyqa index build` writes it: the French versions it lists
    # name the English texts (« Pacte mondial »), held or not.
    build_index(passages, docs, embedder.embed_documents, embedder.name, embedder.fingerprint, embedder.dimension, folder, catalogue=every)
    index = load_index(folder, embedder.fingerprint, embedder.dimension)
    return Retriever(index, lambda q: embedder.embed_queries([q])[0])


def _at(retriever, doc_id: str, locator: str):
    return next(p for p in retriever.index.passages if p.doc_id == doc_id and p.locator == locator)


def _pack(retriever, lang: str) -> Pack:
    """A pack of chosen provisions, one of each shape of label: a GCM objective's sub-items,
    a resolution's operative and preambular paragraphs (one repeated in a later resolution),
    an article, a definition."""
    index = retriever.index
    at = lambda doc_id, locator: _at(retriever, doc_id, locator)  # noqa: E731
    gcm = [at("gcm-en", "Objective 13 › para 29 (g)–(h)")]
    res = [at("a-res-78-217-en", "preambular para 3"), at("a-res-78-217-en", "op. 5 (a)–(b)")]
    udhr = [at("udhr-en", "Article 14")]
    later = at("a-res-80-218-en", "op. 5 (a)–(b)")

    def provisions(passages, also=()):
        return tuple(Provision(p, " ".join(p.text.split()[:30]), 0.5, also_in=also) for p in passages)

    groups = (
        InstrumentGroup(index.documents["udhr-en"], provisions(udhr)),
        InstrumentGroup(index.documents["gcm-en"], provisions(gcm)),
        InstrumentGroup(index.documents["a-res-78-217-en"], provisions(res[:1]) + provisions(res[1:], (later,))),
    )
    article3 = at("trafficking-protocol-2000-en", "Article 3")
    defs = tuple(d for d in definitions.in_passage(article3) if d.term == "Trafficking in persons")
    used = ("udhr-en", "gcm-en", "a-res-78-217-en", "a-res-80-218-en", "trafficking-protocol-2000-en")
    pack = Pack(
        "détention" if lang == "fr" else "detention",
        lang,
        True,
        groups,
        defs,
        (),
        (),
        True,
        0.5,
        documents=tuple(index.documents[i] for i in used),
        queries=("détention des migrants",),
        keywords=("detention", "trafficking"),
        naming=Naming(lang, index.documents, index.catalogue),
    )
    return replace(pack, questions=discussion_questions(pack))


def test_a_french_pack_names_provisions_and_documents_in_french_in_markdown_and_pdf(retriever, tmp_path):
    pack = _pack(retriever, "fr")
    handout = pack_handout(pack, date="2026-12-03")
    pdf, md = write_handout(handout, tmp_path / "pack-fr")
    passages = {p.id: p for p in retriever.index.passages}
    assert assert_quotes_verbatim(pdf, handout, passages) == 5  # the quotes are the documents' own words, untouched
    # Treaties first: the UDHR is named by its French version, held; the GCM and the Protocol
    # by the French versions the catalogue lists; a resolution is a « résolution » in French.
    assert [norm(q.source) for q in handout.quotes()] == [
        "DUDH (A/RES/217 A (III)), article 14",
        "Pacte mondial (A/RES/73/195), Objectif 13, paragraphe 29 g) et h), p. 22",
        "résolution A/RES/78/217, alinéa 3 du préambule, p. 1",
        "résolution A/RES/78/217, paragraphe 5 a) et b) du dispositif, p. 7–8",
        "Protocole relatif à la traite des personnes (A/RES/55/25, annex II), article 3",
    ]
    markdown = md.read_text(encoding="utf-8")
    printed = pdf_text(pdf, handout)
    for text in (norm(markdown), printed):
        for french in (
            "Objectif 13, paragraphe 29 g) et h)",
            "paragraphe 5 a) et b) du dispositif",
            "alinéa 3 du préambule",
            "article 14",
            "résolution A/RES/78/217",
            "Même texte, ou presque, dans : résolution A/RES/80/218, paragraphe 5 a) et b) du dispositif.",
            "Pacte mondial pour des migrations sûres, ordonnées et régulières — A/RES/73/195",  # the heading: its French title
            NOT_HELD,
            HELD,
        ):
            assert french in text, french
        assert "texte disponible en anglais uniquement" not in text
    # The note after each English quote is the answers' own: the UDHR's French text is held.
    notes = {q.passage_id: norm(q.note) for q in handout.quotes()}
    assert notes[_at(retriever, "udhr-en", "Article 14").id] == HELD
    assert notes[_at(retriever, "gcm-en", "Objective 13 › para 29 (g)–(h)").id] == NOT_HELD
    # No English label in the French frame, Markdown or PDF (the PDF's quotes taken out).
    assert not ENGLISH_LABELS.search(french_prose(markdown)), ENGLISH_LABELS.search(french_prose(markdown))
    frame = printed
    for q in handout.quotes():
        opening, closing = quote_marks(q.lang)
        frame = frame.replace(norm(f"{opening}{' '.join(q.text.split())}{closing}"), "")
    assert not ENGLISH_LABELS.search(re.sub(r"«[^»]*»", "", frame))
    # The discussion questions name the provisions the same way, in French sentences.
    questions = " ".join(pack.questions)
    assert "Selon le Protocole relatif à la traite des personnes, article 3" in norm(questions)
    assert "Comment invoquer " in questions and "est un traité" in questions


def test_english_material_keeps_its_labels_but_writes_operative_paragraphs_in_full(retriever, tmp_path):
    pack = _pack(retriever, "en")
    handout = pack_handout(pack, date="2026-12-03")
    markdown = render_markdown(handout)
    documents = retriever.index.documents
    for q in handout.quotes():
        p = next(p for p in retriever.index.passages if p.id == q.passage_id)
        doc = documents[p.doc_id]
        name = doc.short_title or doc.title
        symbol = f" ({doc.symbol})" if doc.symbol and doc.symbol != name else ""
        # As before, but "op. 5" is "operative para 5", as the answers write it.
        page = f", p. {p.pages}" if p.pages else ""
        assert q.source == f"{name}{symbol}, {p.locator.replace('op. ', 'operative para ')}{page}"
        assert q.note in ("", "Same or nearly the same wording in: A/RES/80/218, operative para 5 (a)–(b).")
    assert "Objective 13 › para 29 (g)–(h)" in markdown and "preambular para 3" in markdown
    assert not re.search(r"\bop\. \d", markdown) and "Objectif" not in markdown and "dispositif" not in markdown


def test_a_built_french_pack_labels_every_quote_as_the_answers_do(retriever, tmp_path):
    pack = build_pack_fr(retriever)
    assert pack.covered and pack.provisions
    handout = pack_handout(pack)
    names = pack.names
    passages = {p.id: p for p in retriever.index.passages}
    for q in handout.quotes():
        p = passages[q.passage_id]
        assert names.label(p) in q.source and not ENGLISH_LABELS.search(q.source), q.source
        assert norm(q.note).startswith(NOT_HELD) if p.lang == "en" else not q.note, q.note
    assert not ENGLISH_LABELS.search(french_prose(render_markdown(handout)))


def build_pack_fr(retriever):
    from policyqa.training.pack import build_pack

    return build_pack(retriever, "la détention des migrants en dernier recours", "fr", ("gcm-en", "a-res-78-217-en"), LOOSE)


def test_a_french_quiz_names_its_answers_sources_in_french_and_its_json_adds_labels(retriever, tmp_path):
    quiz = build_quiz(retriever, "traite des personnes et trafic illicite de migrants", "fr", count=8, seed=2, settings=LOOSE)
    assert quiz.covered and quiz.items
    handout = quiz_handout(quiz, date="2026-12-03")
    passages = {p.id: p for p in retriever.index.passages}
    for item, q in zip(quiz.items, handout.quotes()):
        p = passages[item.citation.passage_id]
        assert item.citation.label == Naming("fr").label(p) and item.citation.label in q.source
        assert not ENGLISH_LABELS.search(q.source) and norm(q.note) in (NOT_HELD, HELD)
        if item.kind == "article":  # the choices are articles, named as a French text names them
            assert all(re.fullmatch(r"Article (premier|\d+)", c) for c in item.choices), item.choices
        if item.kind == "gcm-objective":  # « Objectif 10 : » before the Compact's own title, untranslated
            assert all(re.fullmatch(r"Objectif \d+\u00a0: [A-Z].+", c) for c in item.choices), item.choices
            assert p.context.split(":", 1)[1].strip() in item.choices[item.answer]
    data = quiz_json(quiz)
    for entry, item in zip(data["items"], quiz.items):
        cited = entry["citation"]
        assert cited["locator"] == item.citation.locator  # kept for the tools that read it
        assert cited["label"] == item.citation.label and cited["document_name"] == item.citation.document_name
    questions = " ".join(e["question"] for e in data["items"])
    assert not ENGLISH_LABELS.search(questions)
    assert {i.kind for i in quiz.items} >= {"article", "gcm-objective", "operative-paragraph"}
    assert not ENGLISH_LABELS.search(french_prose(render_markdown(handout)).replace("Objectif", ""))
    # A resolution is named by its French title where the catalogue gives one.
    if any(i.kind == "operative-paragraph" for i in quiz.items):
        assert "(Protection des migrants)" in questions


def test_a_session_record_names_sources_in_its_own_language(retriever):
    p = _at(retriever, "gcm-en", "Objective 13 › para 29 (g)–(h)")
    documents = retriever.index.documents
    quote = " ".join(p.text.split()[:12])
    cite = make_citation(1, Source(p, quote), documents["gcm-en"], "fr", retriever.index.catalogue)
    answer = Answer(f"Selon le Pacte mondial :\n« {quote} » [1]", "fr", (cite,), True)
    passages = {p.id: p}
    french = transcript_handout([("La détention ?", answer)], documents=documents, passages=passages)
    (q,) = french.quotes()
    assert norm(q.source) == f"[1] Pacte mondial (A/RES/73/195), Objectif 13, paragraphe 29 g) et h), p. {p.pages} · passage {p.id}"
    assert norm(q.note) == NOT_HELD
    english = transcript_handout([("La détention ?", answer)], "en", documents=documents, passages=passages)
    (q,) = english.quotes()
    assert q.source == f"[1] GCM (A/RES/73/195), Objective 13 › para 29 (g)–(h), p. {p.pages} · passage {p.id}" and q.note == ""


def test_no_quote_block_carries_a_training_note_of_its_own():
    from policyqa.training.wording import PHRASES

    assert all("only_in" not in phrases for phrases in PHRASES.values())
    assert Quote("q", "s", "en").note == ""
