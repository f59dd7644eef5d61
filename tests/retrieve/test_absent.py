"""Instruments a question names that the corpus does not hold."""

from __future__ import annotations

from policyqa.retrieve.absent import Vocabulary, absent_instruments
from policyqa.types import Document, Passage

PASSAGES = [
    Passage(
        id="p1",
        doc_id="p67",
        lang="en",
        locator="Article I",
        text="The term refugee shall mean any person who is outside the country of his nationality.",
    ),
    Passage(
        id="p2",
        doc_id="smug",
        lang="en",
        locator="Article 16",
        text="Each State Party shall comply with its obligations under the Vienna Convention on Consular Relations.",
    ),
]
DOCS = [
    Document(
        id="p67",
        title="Protocol relating to the Status of Refugees",
        lang="en",
        family="treaty",
        path="p.md",
        aliases=("1967 Protocol", "Protocole de 1967"),
    ),
    Document(id="gcm", title="Global Compact", lang="en", family="gcm", path="g.txt", aliases=("Pacte de Marrakech",)),
]
VOCABULARY = Vocabulary.of(PASSAGES, DOCS)


def test_a_proper_name_beside_an_instrument_word_that_the_corpus_never_uses_is_absent():
    assert absent_instruments("What does the 1984 Cartagena Declaration add to the refugee definition?", VOCABULARY) == [
        "Cartagena Declaration"
    ]
    assert absent_instruments("Comment la Convention de l'OUA de 1969 élargit-elle la définition ?", VOCABULARY) == ["Convention de l'OUA"]
    assert absent_instruments("Under the Dublin III Regulation, which State is responsible?", VOCABULARY) == ["Dublin III Regulation"]


def test_instruments_the_corpus_holds_or_mentions_are_not_absent_even_spelt_the_other_languages_way():
    for question in (
        "What does the 1967 Protocol say about the term refugee?",
        "Que prévoit le Protocole de 1967 ?",
        "Le Pacte de Marrakech protège-t-il les sauveteurs ?",
        "What does the Vienna Convention on Consular Relations require?",
        "Que prévoit la Convention de Vienne sur les relations consulaires ?",  # Vienne ~ Vienna
        "Quelle convention protège les réfugiés de cartagena ?",
    ):  # a lower-case word is not a name
        assert absent_instruments(question, VOCABULARY) == [], question
    # A name far from any instrument word is not taken for one.
    assert absent_instruments("Do refugees in Cartagena have rights under this Protocol ?", VOCABULARY) == []


ISSUED = [
    *DOCS,
    Document(id="ga", title="Protection of migrants", lang="en", family="un", path="r.pdf", symbol="A/RES/78/217", body="General Assembly"),
]
WITH_BODIES = Vocabulary.of(
    [
        *PASSAGES,
        Passage(
            id="p3",
            doc_id="ga",
            lang="en",
            locator="op. 1",
            text="Dialogue between the EU, the AU and ECOWAS (CEDEAO) on migration and asylum, whatever the directive.",
        ),
    ],
    ISSUED,
)


def test_an_instrument_of_an_organisation_no_catalogued_text_comes_from_is_absent_though_its_acronym_is_a_corpus_word():
    assert absent_instruments("Under the EU Pact on Migration and Asylum, how long may screening last?", WITH_BODIES) == ["Pact (EU)"]
    assert absent_instruments("En vertu du Pacte sur la migration et l'asile de l'Union européenne, combien de temps ?", WITH_BODIES) == [
        "Pacte (Union européenne)"
    ]
    assert absent_instruments("Selon le Protocole de la CEDEAO, combien de jours sans visa ?", WITH_BODIES) == ["Protocole (CEDEAO)"]
    # The French preposition "au" is not the African Union; an organisation named with no
    # instrument word near it names no text.
    assert absent_instruments("Quel protocole s'applique au migrant en mer ?", WITH_BODIES) == []
    assert absent_instruments("What does the EU fund in the Rabat Process?", WITH_BODIES) == []


def test_an_organisation_that_issued_a_catalogued_text_is_not_absent():
    held = Vocabulary.of(
        PASSAGES, [*ISSUED, Document(id="eu", title="Return Directive", lang="en", family="eu", path="d.pdf", body="European Union")]
    )
    assert absent_instruments("What does the EU Return Directive say about detention?", held) == []


def test_a_law_named_by_a_number_no_catalogued_text_bears_is_absent_as_written():
    assert absent_instruments("What penalties does Moroccan Law No. 02-03 impose?", WITH_BODIES) == ["Law No. 02-03"]
    assert absent_instruments("loi 02-03 au Maroc : quelle peine ?", WITH_BODIES) == ["loi 02-03"]
    # The number, not the organisation, names it once.
    assert absent_instruments("the EU return directive (Directive 2008/115/EC): maximum detention?", WITH_BODIES) == [
        "Directive 2008/115/EC"
    ]
    # A catalogued text's number is held; a resolution's number is no law's.
    assert absent_instruments("Under resolution 78/217, what must States do?", WITH_BODIES) == []
    assert absent_instruments("Which act of 78/217 applies?", WITH_BODIES) == []
