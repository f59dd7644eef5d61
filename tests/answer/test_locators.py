"""Locators written for the reader, over the real corpus: every family's shapes of locator,
as ingestion gives them today, labelled in French as a French UN editor cites them and in
English as the corpus always has ("operative para" for "op."); the document named in the
reader's language; each family named in both."""

from __future__ import annotations

import pytest
from conftest import REPO, require_shared_corpus

from policyqa.answer.locators import label, label_of, reference, structure
from policyqa.answer.names import FAMILY_LABELS, document_name, family_label, with_article
from policyqa.corpus import catalog, ingest
from policyqa.types import Document, Passage

DOC_IDS = [
    "gcm-en",
    "a-res-78-217-en",
    "a-res-80-9-en",
    "refugee-convention-1951-en",
    "refugee-protocol-1967-en",
    "smuggling-protocol-2000-en",
    "udhr-fr",
    "la-declaration-fr",
    "la-deliverables-en",
    "rabat-marrakech-2023-fr",
]

# (document, its own locator) → French label, English label: one or more rows per family.
LABELS = [
    # gcm
    ("gcm-en", "Objective 13 › para 29 (g)–(h)", "Objectif 13, paragraphe 29 g) et h)", "Objective 13 › para 29 (g)–(h)"),
    ("gcm-en", "Objective 1 › para 17 (d)–(f)", "Objectif 1, paragraphe 17 d) à f)", "Objective 1 › para 17 (d)–(f)"),
    ("gcm-en", "Objective 11 › para 27 (g)", "Objectif 11, paragraphe 27 g)", "Objective 11 › para 27 (g)"),
    ("gcm-en", "para 16 1.–11.", "paragraphe 16, points 1 à 11", "para 16 1.–11."),
    ("gcm-en", "resolution op. 1", "résolution, paragraphe 1 du dispositif", "resolution, operative para 1"),
    ("gcm-en", "resolution, preambular para 1", "résolution, alinéa 1 du préambule", "resolution, preambular para 1"),
    ("gcm-en", "Annex, preambular para 1", "annexe, alinéa 1 du préambule", "Annex, preambular para 1"),
    # unga-resolution
    ("a-res-78-217-en", "preambular para 3", "alinéa 3 du préambule", "preambular para 3"),
    ("a-res-78-217-en", "op. 3", "paragraphe 3 du dispositif", "operative para 3"),
    ("a-res-78-217-en", "op. 5 (a)–(b)", "paragraphe 5 a) et b) du dispositif", "operative para 5 (a)–(b)"),
    ("a-res-78-217-en", "op. 6 (e)–(h)", "paragraphe 6 e) à h) du dispositif", "operative para 6 (e)–(h)"),
    ("a-res-80-9-en", "Annex, para 17", "annexe, paragraphe 17", "Annex, para 17"),
    ("a-res-80-9-en", "Annex, para 28 (a)–(d)", "annexe, paragraphe 28 a) à d)", "Annex, para 28 (a)–(d)"),
    # treaty
    ("refugee-convention-1951-en", "Preamble", "préambule", "Preamble"),
    ("refugee-convention-1951-en", "Article 33", "article 33", "Article 33"),
    ("refugee-convention-1951-en", "Article 1 A.", "article premier, section A", "Article 1 A."),
    ("refugee-convention-1951-en", "Article 1 D.–F.", "article premier, sections D à F", "Article 1 D.–F."),
    ("refugee-convention-1951-en", "Schedule, para 1", "annexe, paragraphe 1", "Schedule, para 1"),
    (
        "refugee-convention-1951-en",
        "Final Act, para 6 (part 3 of 3)",
        "Acte final, paragraphe 6, partie 3 sur 3",
        "Final Act, para 6 (part 3 of 3)",
    ),
    ("refugee-protocol-1967-en", "Article I", "article premier", "Article I"),
    ("refugee-protocol-1967-en", "Article IV", "article IV", "Article IV"),
    ("smuggling-protocol-2000-en", "Article 8 1.", "article 8, paragraphe 1", "Article 8 1."),
    ("smuggling-protocol-2000-en", "Article 8 2.–4.", "article 8, paragraphes 2 à 4", "Article 8 2.–4."),
    # udhr: a French text read by both
    ("udhr-fr", "Préambule", "préambule", "Preamble"),
    ("udhr-fr", "Article premier", "article premier", "Article 1"),
    ("udhr-fr", "Article 14", "article 14", "Article 14"),
    # declaration: headings kept in their own language, left out in the other but for a pillar
    (
        "la-declaration-fr",
        "Une approche partagée pour la réduction et la gestion des migrations irrégulières › para 13 (part 3 of 3)",
        "Une approche partagée pour la réduction et la gestion des migrations irrégulières, paragraphe 13, partie 3 sur 3",
        "para 13 (part 3 of 3)",
    ),
    (
        "la-declaration-fr",
        "Une approche partagée pour la réduction et la gestion des migrations irrégulières › bullet 1",
        "Une approche partagée pour la réduction et la gestion des migrations irrégulières, point 1",
        "bullet 1",
    ),
    (
        "la-deliverables-en",
        "Pillar II: Legal Pathways and Protection › bullet 11",
        "Pilier II, point 11",
        "Pillar II: Legal Pathways and Protection › bullet 11",
    ),
    ("la-deliverables-en", "Observer States › bullet 21", "point 21", "Observer States › bullet 21"),
    # rabat-process
    ("rabat-marrakech-2023-fr", "Contexte de la réunion › para 5", "Contexte de la réunion, paragraphe 5", "para 5"),
]


@pytest.fixture(scope="module")
def corpus() -> tuple[dict[tuple[str, str], Passage], dict[str, Document]]:
    root = require_shared_corpus()
    listed = catalog.load_catalog([REPO / "corpus" / "catalog.toml"])
    report = ingest.ingest(catalog.select(listed, ids=DOC_IDS), (root,))
    return {(p.doc_id, p.locator): p for p in report.passages}, {d.id: d for d in listed}


@pytest.mark.parametrize(("doc_id", "locator", "french", "english"), LABELS, ids=[f"{d}:{loc}" for d, loc, _, _ in LABELS])
def test_a_real_locator_is_labelled_for_each_reader(corpus, doc_id, locator, french, english):
    passages, _ = corpus
    p = passages[(doc_id, locator)]
    assert (label(p, "fr"), label(p, "en")) == (french, english)
    assert p.locator == locator  # the document's own label is left as it was


def test_every_passage_of_the_sample_is_understood_and_english_labels_are_the_locators(corpus):
    """No locator of these families falls back to its own words; for an English text the
    English label is the locator itself, but for "op." written out."""
    passages, _ = corpus
    assert {d for d, _ in passages} == set(DOC_IDS)
    for p in passages.values():
        assert reference(p.section_key, p.locator, p.lang) is not None, p.locator
        if p.lang == "en":
            expected = p.locator.replace("resolution op. ", "resolution, op. ").replace("op. ", "operative para ")
            assert label(p, "en") == expected


def test_a_locator_of_an_unknown_shape_keeps_its_own_words():
    law = "Part 1 › s. 3 — Objectives"
    assert label_of("s-3", law, "en", "fr") == law
    assert label_of("art-14", "Article 14 (a) or so", "en", "fr") == "Article 14 (a) or so"
    assert label_of("", "x", "en", "fr") == "x"
    # A run of sub-items that follow each other is joined by « et », a longer one by « à ».
    assert label_of("op-2", "op. 2 (i)–(j)", "en", "fr") == "paragraphe 2 i) et j) du dispositif"
    assert label_of("op-2", "op. 2 (ii)–(iii)", "en", "fr") == "paragraphe 2 ii) et iii) du dispositif"
    assert label_of("art-3", "Article 3 (a)–(c)", "en", "fr") == "article 3, alinéas a) à c)"


# The French versions of the UN resolutions, as their ingestion words its locators
# (corpus/formats/un_lang.py): the same labels come out for each reader.
FRENCH_UN = [
    ("op-5", "par. 5 a)–b)", "paragraphe 5 a) et b) du dispositif", "operative para 5 (a)–(b)"),
    ("pp-3", "préambule, alinéa 3", "alinéa 3 du préambule", "preambular para 3"),
    ("annex/para-28", "Annexe, par. 28 a)–d)", "annexe, paragraphe 28 a) à d)", "Annex, para 28 (a)–(d)"),
    ("res/pp-1", "résolution, préambule, alinéa 1", "résolution, alinéa 1 du préambule", "resolution, preambular para 1"),
    ("para-29", "Objectif 13 › par. 29 g)–h)", "Objectif 13, paragraphe 29 g) et h)", "Objective 13 › para 29 (g)–(h)"),
]


@pytest.mark.parametrize(("key", "locator", "french", "english"), FRENCH_UN)
def test_a_french_un_locator_is_labelled_like_the_english_one(key, locator, french, english):
    assert (label_of(key, locator, "fr", "fr"), label_of(key, locator, "fr", "en")) == (french, english)


def test_documents_are_named_in_the_readers_language(corpus):
    _, listed = corpus
    name = {(d, lang): document_name(listed[d], lang, listed) for d in listed for lang in ("fr", "en")}
    assert name["gcm-en", "fr"] == "Pacte mondial" and name["gcm-en", "en"] == "GCM"
    assert name["a-res-78-217-en", "fr"] == "résolution A/RES/78/217" and name["a-res-78-217-en", "en"] == "A/RES/78/217"
    assert name["udhr-en", "fr"] == "DUDH" and name["udhr-fr", "en"] == "UDHR"
    assert name["refugee-convention-1951-en", "fr"] == "Convention de 1951"  # the catalogue's French version's
    assert name["refugee-protocol-1967-en", "fr"] == "Protocole de 1967 relatif au statut des réfugiés"
    assert name["rabat-marrakech-2023-fr", "en"] == "Processus de Rabat, Marrakech 2023"  # no English version: its own name
    assert document_name(None, "fr", listed, fallback="gcm-en") == "gcm-en"
    articled = {n: with_article(n, "fr") for n in ("Pacte mondial", "DUDH", "résolution A/RES/78/217", "Acte final", "A/RES/80/9")}
    assert articled == {
        "Pacte mondial": "le Pacte mondial",
        "DUDH": "la DUDH",
        "résolution A/RES/78/217": "la résolution A/RES/78/217",
        "Acte final": "l’Acte final",
        "A/RES/80/9": "A/RES/80/9",
    }
    assert with_article("Principes du HCDH aux frontières", "fr") == "les Principes du HCDH aux frontières"
    assert with_article("Global Compact", "en") == "Global Compact"
    # Every held document's French name takes an article, so no lead reads « Selon Convention ».
    root = require_shared_corpus()
    for doc in listed.values():
        if doc.collection == "default" and (root / doc.path).is_file():
            french = document_name(doc, "fr", listed)
            assert with_article(french, "fr") != french, french


def test_every_family_of_the_catalogue_has_a_name_in_both_languages(corpus):
    _, listed = corpus
    for family in {d.family for d in listed.values()} | {"user"}:
        assert family in FAMILY_LABELS, family
        assert set(family_label(family)) == {"en", "fr"} and all(family_label(family).values())
    assert family_label("unga-resolution") == {
        "en": "UN General Assembly resolutions",
        "fr": "Résolutions de l’Assemblée générale des Nations unies",
    }
    assert family_label("new-family") == {"en": "New family", "fr": "New family"}


def test_the_structure_tools_read_is_the_same_in_both_languages():
    """What ranking, roles, quizzes and comparison read (structure): the unit, number, sub-items
    and GCM objective, whatever the language the locator is written in."""
    pairs = [
        (("op-5", "op. 5 (a)–(b)", "en"), ("op-5", "par. 5 a)–b)", "fr")),
        (("para-29", "Objective 13 › para 29 (g)–(h)", "en"), ("para-29", "Objectif 13 › par. 29 g)–h)", "fr")),
        (("pp-3", "preambular para 3", "en"), ("pp-3", "préambule, alinéa 3", "fr")),
        (("res/op-1", "resolution op. 1", "en"), ("res/op-1", "résolution, par. 1", "fr")),
    ]
    for (en_key, en_loc, en), (fr_key, fr_loc, fr) in pairs:
        a = structure(Passage("a", "d", en, en_loc, "…", section_key=en_key))
        b = structure(Passage("b", "d", fr, fr_loc, "…", section_key=fr_key))
        assert a is not None and b is not None, (en_loc, fr_loc)
        assert (a.unit, a.number, a.scope, len(a.items), a.objective) == (b.unit, b.number, b.scope, len(b.items), b.objective)
    assert structure(Passage("c", "d", "fr", "Objectif 13 › par. 29", "…", section_key="para-29")).objective == 13
    assert structure(Passage("c", "d", "en", "para 12", "…", section_key="para-12")).objective is None
    assert structure(Passage("c", "d", "en", "Part 1 › s. 3 — Application", "…", section_key="s-3")) is None


def test_a_section_is_labelled_whole_for_the_reading_view():
    from policyqa.answer.locators import section_label
    from policyqa.types import Passage

    run = Passage(id="x", doc_id="a-res-78-217-en", lang="en", locator="op. 5 (a)–(b)", text="…", section_key="op-5")
    part = Passage(id="y", doc_id="r", lang="en", locator="Final Act, para 6 (part 3 of 3)", text="…", section_key="final-act/para-6")
    assert (section_label(run, "fr"), section_label(run, "en")) == ("paragraphe 5 du dispositif", "operative para 5")
    assert (section_label(part, "fr"), section_label(part, "en")) == ("Acte final, paragraphe 6", "Final Act, para 6")
    odd = Passage(id="z", doc_id="ca", lang="en", locator="Schedule 1, item 3", text="…", section_key="sched-1/item-3")
    assert section_label(odd, "fr") == "Schedule 1, item 3"  # a shape not known here keeps its words
