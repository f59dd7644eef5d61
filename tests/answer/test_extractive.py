"""The extractive answerer over a small hashing-embedder index: quotes are verbatim, every
marker resolves to a retrieved passage, leads are in the asker's language, and weak
evidence gives an honest "not covered"."""

from __future__ import annotations

import re

from relevance_fixtures import fixed_model

from policyqa.answer.citations import quote_is_verbatim
from policyqa.answer.extractive import ExtractiveAnswerer
from policyqa.answer.phrases import UNSUPPORTED_LANGUAGE
from policyqa.answer.quotes import same_wording, select_quote
from policyqa.answer.relevance import AnswerSettings
from policyqa.evaluation.metrics import AnswerJudgement, answer_metrics
from policyqa.index.embedder import HashingEmbedder
from policyqa.index.store import build_index, load_index
from policyqa.retrieve.retriever import Retriever
from policyqa.text.units import units
from policyqa.types import Citation, Document, Passage

DOCS = [
    Document(
        id="gcm-en",
        title="Global Compact for Safe, Orderly and Regular Migration",
        short_title="GCM",
        lang="en",
        family="gcm",
        path="gcm.txt",
        symbol="A/RES/73/195",
    ),
    Document(
        id="udhr-en",
        title="Universal Declaration of Human Rights",
        short_title="UDHR",
        lang="en",
        family="udhr",
        path="u-en.txt",
        parallel_group="udhr",
    ),
    Document(
        id="udhr-fr",
        title="Déclaration universelle des droits de l’homme",
        short_title="DUDH",
        lang="fr",
        family="udhr",
        path="u-fr.txt",
        parallel_group="udhr",
    ),
]
LONG = (
    "We commit to ensure that any detention in the context of international migration follows due process. "
    "To realize this commitment, we will draw from the following actions:\n"
    "(a) Use existing relevant human rights mechanisms to improve independent monitoring of migrant detention, "
    "ensuring that it is a measure of last resort and that alternatives to detention are expanded for children;\n"
    + "\n".join(
        f"({c}) Strengthen cooperation on data collection, remittances and consular matters, item {c}, with many "
        "further words so that the paragraph is long enough to need a selection of its sub-items;"
        for c in "bcdefg"
    )
)
PASSAGES = [
    Passage(id="g29", doc_id="gcm-en", lang="en", locator="Objective 13 › para 29", text=LONG, page_start=21, page_end=22),
    Passage(
        id="e14",
        doc_id="udhr-en",
        lang="en",
        locator="Article 14",
        parallel_key="udhr#art-14",
        text="Everyone has the right to seek and to enjoy in other countries asylum from persecution.",
    ),
    Passage(
        id="f14",
        doc_id="udhr-fr",
        lang="fr",
        locator="Article 14",
        parallel_key="udhr#art-14",
        text="Devant la persécution, toute personne a le droit de chercher asile et de bénéficier de l’asile en d’autres pays.",
    ),
]


def _answerer(tmp_path, **settings) -> ExtractiveAnswerer:
    embedder = HashingEmbedder()
    build_index(PASSAGES, DOCS, embedder.embed_documents, embedder.name, embedder.fingerprint, embedder.dimension, tmp_path)
    index = load_index(tmp_path, embedder.fingerprint, embedder.dimension)
    retriever = Retriever(index, lambda q: embedder.embed_queries([q])[0])
    return ExtractiveAnswerer(retriever, AnswerSettings(**{"model": fixed_model(0.05), **settings}))


def test_answer_quotes_verbatim_with_resolved_markers_and_a_lead_in_the_askers_language(tmp_path):
    answerer = _answerer(tmp_path, max_sources=1)
    answer = answerer.answer("Quel est le droit d’asile selon la Déclaration universelle ?")
    assert answer.answered and answer.lang == "fr"
    assert answer.text.startswith("Selon la DUDH, Article 14 :")
    (cite,) = answer.citations
    assert cite.passage_id == "f14" and cite.other_version_id == "e14" and cite.marker == "[1]"
    assert quote_is_verbatim(cite, PASSAGES[2])
    assert set(re.findall(r"\[\d+\]", answer.text)) == {"[1]"}


def test_english_only_text_is_quoted_in_english_and_said_to_be(tmp_path):
    answer = _answerer(tmp_path, max_sources=1).answer("Que dit le Pacte mondial sur la détention des enfants ?")
    assert answer.citations[0].passage_id == "g29"
    assert "(texte officiel en anglais ; aucune version française dans le corpus)" in answer.text
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
    from policyqa.types import Hit

    settings = AnswerSettings(min_dense=0.455, min_dense_cross=0.42)
    english = Hit(PASSAGES[1], 1, 0.1, 0.43, 0.0)
    assert settings.covered([english], "fr")  # French question, English-only text
    assert not settings.covered([english], "en")
    assert not settings.covered([], "en")


# Which passage is cited: one, chosen by a rerank of the retrieved candidates, plus the same
# wording where another instrument repeats it.
RES = [
    Document(
        id="res-a",
        title="Protection of migrants (2023)",
        short_title="A/RES/78/217",
        lang="en",
        family="unga-resolution",
        path="a.pdf",
        symbol="A/RES/78/217",
    ),
    Document(
        id="res-b",
        title="Protection of migrants (2025)",
        short_title="A/RES/80/218",
        lang="en",
        family="unga-resolution",
        path="b.pdf",
        symbol="A/RES/80/218",
    ),
]
OPERATIVE = "Calls upon States to pursue alternatives to detention while assessments of migration status are under way;"
RES_PASSAGES = [
    Passage(
        id="a-pre",
        doc_id="res-a",
        lang="en",
        locator="preambular para 3",
        text="Recalling that States should pursue alternatives to detention while migration status assessments are under way,",
    ),
    Passage(id="a-op6", doc_id="res-a", lang="en", locator="op. 6", text=OPERATIVE),
    Passage(id="b-op6", doc_id="res-b", lang="en", locator="op. 6", text=OPERATIVE.replace("Calls upon", "Also calls upon")),
    Passage(
        id="b-op9",
        doc_id="res-b",
        lang="en",
        locator="op. 9",
        text="Encourages States to improve the collection of data on migration, disaggregated by sex and age;",
    ),
]


def _chosen(answerer: ExtractiveAnswerer, hits, question: str, asker: str):
    from policyqa.answer.relevance import rank
    from policyqa.retrieve import mentions

    named = mentions.find(question, answerer.retriever.index.documents)
    ranked, _support = rank(hits, question, asker, named, bool(named.doc_ids), answerer.settings.model)
    return answerer._pick([s.hit for s in ranked])


def _index(tmp_path, passages, docs):
    embedder = HashingEmbedder()
    build_index(passages, docs, embedder.embed_documents, embedder.name, embedder.fingerprint, embedder.dimension, tmp_path)
    return embedder, load_index(tmp_path, embedder.fingerprint, embedder.dimension)


def _answerer_over(tmp_path, passages, docs, **settings) -> ExtractiveAnswerer:
    embedder, index = _index(tmp_path, passages, docs)
    retriever = Retriever(index, lambda q: embedder.embed_queries([q])[0])
    return ExtractiveAnswerer(retriever, AnswerSettings(**{"model": fixed_model(0.05), **settings}))


def test_one_passage_is_cited_not_every_passage_that_scores_near_it(tmp_path):
    answer = _answerer(tmp_path).answer("Does everyone have the right to seek asylum from persecution in other countries?")
    assert [c.passage_id for c in answer.citations] == ["e14"]


def test_an_operative_paragraph_is_preferred_to_a_preambular_one_and_the_same_wording_elsewhere_is_cited_too(tmp_path):
    answerer = _answerer_over(tmp_path, RES_PASSAGES, RES)
    hits = list(
        answerer.retriever.search("Should States pursue alternatives to detention while migration status is assessed?", k=8, lang="en").hits
    )
    assert hits[0].passage.id == "a-pre"  # retrieval alone would cite the preamble
    answer = answerer.answer("Should States pursue alternatives to detention while migration status is assessed?")
    assert [c.passage_id for c in answer.citations] == ["a-op6", "b-op6"]
    assert "[2]" in answer.text and all(
        quote_is_verbatim(c, next(p for p in RES_PASSAGES if p.id == c.passage_id)) for c in answer.citations
    )


def test_when_the_question_names_an_instrument_a_passage_of_another_one_is_not_cited(tmp_path):
    answerer = _answerer_over(tmp_path, PASSAGES + RES_PASSAGES, DOCS + RES)
    question = "What does resolution 80/218 say about the right to seek asylum from persecution in other countries?"
    hits = answerer.retriever.search(question, k=8, lang="en").hits
    assert max(hits, key=lambda h: h.dense).passage.doc_id == "udhr-en"  # it matches the words best
    answer = answerer.answer(question)
    assert answer.citations and {c.doc_id for c in answer.citations} == {"res-b"}


def test_same_wording_is_a_share_of_analysed_words_and_zero_across_languages():
    assert same_wording(RES_PASSAGES[1], RES_PASSAGES[2]) > 0.9
    assert same_wording(RES_PASSAGES[1], RES_PASSAGES[3]) < 0.2
    assert same_wording(PASSAGES[1], PASSAGES[2]) == 0.0


def test_each_passage_is_scored_by_its_closest_unit_and_older_builds_fall_back_to_the_passage(tmp_path):
    embedder, index = _index(tmp_path, PASSAGES, DOCS)
    assert index.manifest.units == len(units(LONG)) + 2
    question = "alternatives to detention for children as a measure of last resort"
    query = embedder.embed_queries([question])[0]
    best = float(index.passage_unit_scores(query)[index.row_of["g29"]])
    expected = max(float(v @ query) for v in embedder.embed_documents(units(LONG)))
    assert abs(best - expected) < 1e-5 and best > float(index.dense.reconstruct(index.row_of["g29"]) @ query)
    retriever = Retriever(index, lambda q: embedder.embed_queries([q])[0])
    hit = next(h for h in retriever.search(question, k=3, lang="en").hits if h.passage.id == "g29")
    assert hit.unit is not None and abs(hit.unit - expected) < 1e-5  # what the rerank reads
    index.unit_vectors = index.unit_rows = None  # a build made before unit vectors existed
    assert index.passage_unit_scores(query) is None
    answer = ExtractiveAnswerer(Retriever(index, lambda q: embedder.embed_queries([q])[0]), AnswerSettings(model=fixed_model(0.05))).answer(
        question
    )
    assert answer.answered and answer.citations[0].passage_id == "g29"


def test_a_faint_bm25_match_is_not_scaled_up_to_a_full_one(tmp_path):
    from policyqa.types import Hit

    answerer = _answerer(tmp_path)
    # A French question against English text: BM25 finds a stray shared stem (0.5), noise.
    faint = [Hit(PASSAGES[1], 1, 0.03, 0.500, 0.5), Hit(PASSAGES[0], 2, 0.02, 0.510, 0.0)]
    assert [h.passage.id for h in _chosen(answerer, faint, "Que dit le texte sur ce point ?", "fr")] == ["g29"]
    strong = [Hit(PASSAGES[1], 1, 0.03, 0.500, 6.0), Hit(PASSAGES[0], 2, 0.02, 0.510, 0.0)]
    assert [h.passage.id for h in _chosen(answerer, strong, "Que dit le texte sur ce point ?", "fr")] == ["e14"]
    # The floor: a faint match counts a quarter of a full one, a real one in full.
    from policyqa.answer.features import FEATURES, candidate_features
    from policyqa.retrieve.mentions import Mentions

    column = FEATURES.index("sparse")
    none = Mentions(frozenset(), frozenset(), frozenset(), frozenset())
    assert candidate_features(faint, "Que dit le texte ?", "fr", none, False)[0, column] == 0.25
    assert candidate_features(strong, "Que dit le texte ?", "fr", none, False)[0, column] == 1.0


def test_the_quote_follows_the_units_closest_in_meaning_even_across_languages(tmp_path):
    # A French question shares no word with the English sub-items; the unit vectors choose.
    parts = units(LONG)
    scores = [0.1] * len(parts)
    target = next(i for i, u in enumerate(parts) if u.startswith("(b)"))
    scores[target] = 0.9
    quote = select_quote(PASSAGES[0], "et pour les enfants ?", 40, scores)
    assert parts[target] in quote
    assert quote_is_verbatim(Citation("[1]", "g29", "gcm-en", "GCM", "", "x", "", quote, "en"), PASSAGES[0])
    # Scores that do not match the passage's units (an index of another build) are ignored.
    assert select_quote(PASSAGES[0], "et pour les enfants ?", 40, scores[:-1]) == select_quote(PASSAGES[0], "et pour les enfants ?", 40)
    # The index gives one score per unit, in the units' order.
    embedder, index = _index(tmp_path, PASSAGES, DOCS)
    query = embedder.embed_queries(["children in detention"])[0]
    per_unit = index.unit_scores(index.row_of["g29"], query)
    assert len(per_unit) == len(parts) and abs(max(per_unit) - float(index.passage_unit_scores(query)[index.row_of["g29"]])) < 1e-5


def test_a_question_about_a_named_provision_as_a_whole_is_answered_from_its_chapeau(tmp_path):
    from policyqa.types import Hit

    answerer = _answerer(tmp_path)
    chapeau = Passage(
        id="o1",
        doc_id="gcm-en",
        lang="en",
        locator="Objective 1 › para 17",
        text="We commit to strengthen the global evidence base on international migration.",
    )
    actions = Passage(
        id="o1g",
        doc_id="gcm-en",
        lang="en",
        locator="Objective 1 › para 17 (g)–(i)",
        text="(g) Improve national data collection by integrating migration-related topics into censuses;",
    )
    hits = [Hit(actions, 1, 0.03, 0.52, 0.0), Hit(chapeau, 2, 0.02, 0.50, 0.0)]
    question = "What does Objective 1 of A/RES/73/195 call for?"
    assert [h.passage.id for h in _chosen(answerer, hits, question, "en")] == ["o1"]
    from policyqa.answer.features import FEATURES, candidate_features
    from policyqa.retrieve import mentions

    rows = candidate_features(hits, question, "en", mentions.find(question, answerer.retriever.index.documents), True)
    assert list(rows[:, FEATURES.index("chapeau")]) == [0.0, 1.0] and list(rows[:, FEATURES.index("located")]) == [1.0, 1.0]
    # Without a named provision, the closer sub-items are cited.
    assert [h.passage.id for h in _chosen(answerer, hits, "What data does A/RES/73/195 call for?", "en")] == ["o1g"]


def test_a_named_instrument_restricts_the_search_to_it(tmp_path):
    from policyqa.answer.front import Asked

    answerer = _answerer_over(tmp_path, PASSAGES + RES_PASSAGES, DOCS + RES)
    question = "What does resolution 80/218 say about alternatives to detention?"
    understood, result, _named = answerer.front.candidates(Asked(question, "en"), 8)
    assert understood.named == {"res-b"} and result.hits and {h.passage.doc_id for h in result.hits} == {"res-b"}
    # Without the name, other texts are candidates too.
    _u, unrestricted, _n = answerer.front.candidates(Asked("What about alternatives to detention?", "en"), 8)
    assert {h.passage.doc_id for h in unrestricted.hits} - {"res-b"}


def test_a_question_on_an_instrument_the_corpus_does_not_hold_is_declined_and_says_so(tmp_path):
    answerer = _answerer(tmp_path)
    question = "Does the Cartagena Declaration give everyone the right to seek asylum from persecution?"
    close = answerer.answer(question.replace("the Cartagena Declaration", "the Universal Declaration"))
    assert close.answered  # the same question on a text the corpus holds is answered
    answer = answerer.answer(question)
    assert not answer.answered and not answer.citations and answer.see_also
    assert "The corpus does not contain the text the question names: Cartagena Declaration." in answer.text
    french = answerer.answer("La Déclaration de Carthagène donne-t-elle le droit de chercher asile ?")
    assert not french.answered and "Le corpus ne contient pas le texte que nomme la question : Déclaration de Carthagène." in french.text


def test_an_answer_lists_the_next_provisions_it_ranked_as_nearby_not_cited(tmp_path):
    answerer = _answerer_over(tmp_path, RES_PASSAGES, RES)
    answer = answerer.answer("Should States pursue alternatives to detention while migration status is assessed?")
    cited = [c.passage_id for c in answer.citations]
    assert cited == ["a-op6", "b-op6"]
    nearby = [c.passage_id for c in answer.see_also]
    # The preamble and the data paragraph; never a cited passage or one repeating its wording.
    assert nearby and len(nearby) <= 2 and not set(nearby) & set(cited)
    assert all(c.quote and quote_is_verbatim(c, next(p for p in RES_PASSAGES if p.id == c.passage_id)) for c in answer.see_also)
    assert "a-pre" in nearby
