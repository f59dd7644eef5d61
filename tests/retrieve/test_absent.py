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
