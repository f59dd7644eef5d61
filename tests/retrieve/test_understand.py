"""Question understanding against the real catalogue: the texts a question names, the version
a year or session picks, catalogued texts the corpus lacks, and a time after its latest text."""

from __future__ import annotations

import pytest
from conftest import REPO

from policyqa.corpus import catalog
from policyqa.retrieve.absent import Vocabulary
from policyqa.retrieve.understand import understand

CATALOGUE = {d.id: d for d in catalog.load_catalog([REPO / "corpus" / "catalog.toml"])}
# What the default index holds when the shared corpus is present (no file: not held).
NOT_SHIPPED = {
    "gcm-fr",
    "ohchr-borders-en",
    "ohchr-borders-fr",
    "a-res-71-1-en",
    "a-res-76-266-en",
    "gcr-en",
    "icrmw-en",
    "cadiz-action-plan-fr",
    # The official French versions: catalogued, fetched with `policyqa corpus fetch`, not shipped.
    "a-res-78-217-fr",
    "a-res-80-218-fr",
    "a-res-79-217-fr",
    "a-res-78-180-fr",
    "a-res-80-185-fr",
    "a-res-79-154-fr",
    "a-res-78-228-fr",
    "a-res-80-228-fr",
    "a-res-80-9-fr",
    "refugee-convention-1951-fr",
    "smuggling-protocol-2000-fr",
    "trafficking-protocol-2000-fr",
}
HELD = {i: d for i, d in CATALOGUE.items() if d.collection == "default" and i not in NOT_SHIPPED}
VOCABULARY = Vocabulary.of([], HELD.values())


def _read(question: str):
    return understand(question, CATALOGUE, HELD, VOCABULARY)


@pytest.mark.parametrize(
    "question, named",
    [
        ("Que dit la résolution de 2025 sur la protection des migrants sur la détention ?", {"a-res-80-218-en"}),
        ("What did the 2023 resolution on the protection of migrants say about detention?", {"a-res-78-217-en"}),
        ("la résolution de la 78e session sur la protection des migrants", {"a-res-78-217-en"}),
        ("the seventy-ninth session resolution on international migration and development", {"a-res-79-217-en"}),
        ("the resolution on the protection of migrants and children in detention", {"a-res-78-217-en", "a-res-80-218-en"}),
        ("What does the 2025 political declaration say about victims?", {"a-res-80-9-en"}),
        # A year about the data, not the text, picks nothing.
        ("According to resolution 79/217, what was the average cost of remittances in 2022?", {"a-res-79-217-en"}),
        ("Under the 1951 Convention and its 1967 Protocol, who is a refugee?", {"refugee-convention-1951-en", "refugee-protocol-1967-en"}),
        ("Que dit le Pacte mondial sur la détention des enfants ?", {"gcm-en"}),
    ],
)
def test_a_named_text_and_year_restrict_the_search_to_that_version(question, named):
    understood = _read(question)
    assert not understood.declines and set(understood.named) == named


def test_a_name_inside_a_longer_name_of_another_text_does_not_count():
    understood = _read("Under the Global Compact on Refugees, how often does the Global Refugee Forum meet?")
    assert [d.id for d in understood.unavailable] == ["gcr-en"] and not understood.named


def test_a_catalogued_text_the_corpus_lacks_is_declined_by_name():
    understood = _read("What do the OHCHR Recommended Principles and Guidelines on Human Rights at International Borders say?")
    assert understood.declines and "ohchr-borders-en" in {d.id for d in understood.unavailable}
    # Held and not held texts named together: the held one answers.
    both = _read("résolution de 2023 sur la protection des migrants et Déclaration de New York : que faire ?")
    assert not both.declines and set(both.named) == {"a-res-78-217-en"}
    # A text in the other collection, named in an index of the default one.
    extended = _read("Under the Immigration and Refugee Protection Act, when is detention reviewed?")
    assert [d.id for d in extended.unavailable] == ["ca-irpa-en"] and extended.unavailable[0].collection == "extended"


def test_a_version_the_corpus_lacks_is_declined_naming_those_it_holds():
    understood = _read("la résolution de 2021 sur la protection des migrants")
    title, year, held = understood.missing_version
    # The French versions are catalogued (fetched, not shipped): a French question is answered
    # with the French title.
    assert understood.declines and (title, year) == ("Protection des migrants", 2021)
    assert [d.id for d in held] == ["a-res-78-217-en", "a-res-80-218-en"]
    # In English, the English title, whatever order the named versions come in.
    assert _read("the 2021 resolution on the protection of migrants").missing_version[0] == "Protection of migrants"
    other = _read("What extended refugee definition does the 1969 Refugee Convention give?")
    assert other.declines and other.missing_version[1] == 1969


def test_a_question_about_a_time_after_the_latest_text_is_declined():
    for question in (
        "outcome of the 2026 IMRF?",
        "Qui préside le Processus de Rabat en 2026 ?",
        "the 2026 resolution on the protection of migrants",
    ):
        understood = _read(question)
        assert understood.after == 2026 and understood.latest == "2025-12-18", question
    # A horizon or a look ahead from a held text is not a question about that time.
    assert not _read("What does the Compact say about the 2030 Agenda?").declines
    assert not _read("What did the 2025 resolution expect from the 2026 Review Forum?").declines


def test_an_instrument_of_a_year_no_catalogued_text_has_is_declined():
    understood = _read("What does the 2024 Pact on Migration and Asylum say about screening?")
    assert understood.declines and understood.unknown_years == (2024,) or understood.absent
    assert not _read("Which 2024 resolution deals with remittances?").declines
