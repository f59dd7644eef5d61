"""The extractive answerer over a small hashing-embedder index: quotes are verbatim, every
marker resolves to a retrieved passage, leads are in the asker's language, and weak
evidence gives an honest "not covered"."""

from __future__ import annotations

import re

from policyqa.citations import quote_is_verbatim
from policyqa.embed import HashingEmbedder
from policyqa.evaluate import AnswerJudgement, answer_metrics
from policyqa.extractive import AnswerSettings, ExtractiveAnswerer, select_quote
from policyqa.index import build_index, load_index
from policyqa.phrases import UNSUPPORTED_LANGUAGE
from policyqa.retrieve import Retriever
from policyqa.types import Document, Passage

DOCS = [
    Document(id="gcm-en", title="Global Compact for Safe, Orderly and Regular Migration", short_title="GCM", lang="en",
             family="gcm", path="gcm.txt", symbol="A/RES/73/195"),
    Document(id="udhr-en", title="Universal Declaration of Human Rights", short_title="UDHR", lang="en", family="udhr",
             path="u-en.txt", parallel_group="udhr"),
    Document(id="udhr-fr", title="Déclaration universelle des droits de l’homme", short_title="DUDH", lang="fr",
             family="udhr", path="u-fr.txt", parallel_group="udhr"),
]
LONG = ("We commit to ensure that any detention in the context of international migration follows due process. "
        "To realize this commitment, we will draw from the following actions:\n"
        "(a) Use existing relevant human rights mechanisms to improve independent monitoring of migrant detention, "
        "ensuring that it is a measure of last resort and that alternatives to detention are expanded for children;\n"
        + "\n".join(f"({c}) Strengthen cooperation on data collection, remittances and consular matters, item {c}, with many "
                    "further words so that the paragraph is long enough to need a selection of its sub-items;"
                    for c in "bcdefg"))
PASSAGES = [
    Passage(id="g29", doc_id="gcm-en", lang="en", locator="Objective 13 › para 29", text=LONG, page_start=21, page_end=22),
    Passage(id="e14", doc_id="udhr-en", lang="en", locator="Article 14", parallel_key="udhr#art-14",
            text="Everyone has the right to seek and to enjoy in other countries asylum from persecution."),
    Passage(id="f14", doc_id="udhr-fr", lang="fr", locator="Article 14", parallel_key="udhr#art-14",
            text="Devant la persécution, toute personne a le droit de chercher asile et de bénéficier de l’asile en d’autres pays."),
]


def _answerer(tmp_path, **settings) -> ExtractiveAnswerer:
    embedder = HashingEmbedder()
    build_index(PASSAGES, DOCS, embedder.embed_documents, embedder.name, embedder.fingerprint, embedder.dimension, tmp_path)
    index = load_index(tmp_path, embedder.fingerprint, embedder.dimension)
    retriever = Retriever(index, lambda q: embedder.embed_queries([q])[0])
    return ExtractiveAnswerer(retriever, AnswerSettings(**{"min_dense": 0.05, "min_dense_cross": 0.05, **settings}))


def test_answer_quotes_verbatim_with_resolved_markers_and_a_lead_in_the_askers_language(tmp_path):
    answerer = _answerer(tmp_path, max_sources=1)
    answer = answerer.answer("Quel est le droit d’asile selon la Déclaration universelle ?")
    assert answer.answered and answer.lang == "fr"
    assert answer.text.startswith("Selon DUDH, Article 14 :")
    (cite,) = answer.citations
    assert cite.passage_id == "f14" and cite.other_version_id == "e14" and cite.marker == "[1]"
    assert quote_is_verbatim(cite, PASSAGES[2])
    assert set(re.findall(r"\[\d+\]", answer.text)) == {"[1]"}


def test_english_only_text_is_quoted_in_english_and_said_to_be(tmp_path):
    answer = _answerer(tmp_path, max_sources=1).answer("Que dit le Pacte mondial sur la détention des enfants ?")
    assert answer.citations[0].passage_id == "g29"
    assert "(texte disponible en anglais uniquement)" in answer.text
    assert "p. 21–22" in answer.text


def test_weak_evidence_gives_not_covered_and_see_also(tmp_path):
    answer = _answerer(tmp_path, min_dense=0.99, min_dense_cross=0.99).answer("What does the Schengen Borders Code say about retention?")
    assert not answer.answered and answer.citations == ()
    assert answer.text.startswith("The corpus does not cover this question")
    assert answer.see_also and "Closest passages:" in answer.text


def test_unsupported_language_gets_a_polite_bilingual_reply_and_explicit_language_wins(tmp_path):
    answerer = _answerer(tmp_path)
    reply = answerer.answer("¿Cuál es el derecho de asilo según la Declaración Universal?")
    assert reply.text == UNSUPPORTED_LANGUAGE and not reply.answered and reply.lang == "es"
    forced = answerer.answer("¿Cuál es el derecho de asilo según la Declaración Universal?", lang="en")
    assert forced.lang == "en"


def test_a_long_passage_is_quoted_from_its_lead_in_and_the_sub_items_that_bear_on_the_question():
    quote = select_quote(PASSAGES[0], "detention of children, last resort, alternatives", 80)
    assert quote.startswith("We commit to ensure that any detention")
    assert "(a) Use existing relevant human rights mechanisms" in quote
    assert len(quote.split()) <= 85
    from policyqa.types import Citation

    cite = Citation("[1]", "g29", "gcm-en", "GCM", "", "x", "", quote, "en")
    assert quote_is_verbatim(cite, PASSAGES[0])


def test_answer_metrics():
    rows = [
        AnswerJudgement("a", "fr", True, True, "fr", 2, 1, True, 10.0),
        AnswerJudgement("b", "en", True, False, "en", 0, 0, True, 20.0),
        AnswerJudgement("c", "en", False, False, "en", 0, 0, True, 30.0),
        AnswerJudgement("d", "fr", False, True, "en", 1, 0, True, 40.0),
    ]
    m = answer_metrics(rows)
    assert m["citation_precision"] == 0.5 and m["evidence_citation_rate"] == 0.5
    assert m["abstention_accuracy"] == 0.5 and m["false_abstentions"] == 0.5
    assert m["language_accuracy"] == 0.75 and m["latency_p50_ms"] == 25.0


def test_the_threshold_is_lower_when_question_and_passage_languages_differ():
    from policyqa.retrieve import Hit

    settings = AnswerSettings(min_dense=0.455, min_dense_cross=0.42)
    english = Hit(PASSAGES[1], 1, 0.1, 0.43, 0.0)
    assert settings.covered([english], "fr")  # French question, English-only text
    assert not settings.covered([english], "en")
    assert not settings.covered([], "en")
