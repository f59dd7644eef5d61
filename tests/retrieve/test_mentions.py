from policyqa.retrieve.mentions import find, locator_matches
from policyqa.types import Document, Passage

DOCS = {
    "gcm-en": Document(
        id="gcm-en",
        title="Global Compact",
        lang="en",
        family="gcm",
        path="g.txt",
        symbol="A/RES/73/195",
        aliases=("Global Compact", "Pacte mondial", "GCM"),
    ),
    "a-res-80-218-en": Document(
        id="a-res-80-218-en", title="Protection of migrants", lang="en", family="unga-resolution", path="r.pdf", symbol="A/RES/80/218"
    ),
    "refugee-convention-1951-en": Document(
        id="refugee-convention-1951-en",
        title="Refugee Convention",
        lang="en",
        family="treaty",
        path="c.md",
        aliases=("Convention de 1951",),
    ),
}


def test_instruments_are_found_by_alias_symbol_and_resolution_number_in_both_languages():
    assert find("Que dit le Pacte mondial sur la détention ?", DOCS).doc_ids == {"gcm-en"}
    assert find("La résolution 80/218 rappelle-t-elle…", DOCS).doc_ids == {"a-res-80-218-en"}
    assert find("What does A/RES/80/218 say?", DOCS).doc_ids == {"a-res-80-218-en"}
    assert find("What does A/RES/73/195 say?", DOCS).doc_ids == {"gcm-en"}
    assert not find("Que dit le Protocole de 1979 de la CEDEAO ?", DOCS)
    assert not find("resolution 80/2181", DOCS).doc_ids  # numbers are matched whole


def test_provisions_are_found_by_article_paragraph_and_objective():
    m = find("Que prévoit l'article 33 de la Convention de 1951 ?", DOCS)
    assert m.doc_ids == {"refugee-convention-1951-en"} and m.articles == {"33"}
    assert find("Article premier de la DUDH", DOCS).articles == {"1"}
    assert find("objectif 14 du Pacte mondial", DOCS).objectives == {14}
    assert find("What does paragraph 27 say?", DOCS).paragraphs == {27}


def test_locators_match_only_the_named_provision():
    m = find("article 3 and paragraph 29 and objective 1", DOCS)

    def p(loc):
        return Passage(id="x", doc_id="d", lang="en", locator=loc, text="t")

    assert locator_matches(p("Article 3"), m) and not locator_matches(p("Article 33"), m)
    assert locator_matches(p("Objective 13 › para 29 (a)–(c)"), m) and not locator_matches(p("para 290"), m)
    assert locator_matches(p("Objective 1 › para 17"), m) and not locator_matches(p("Objective 13 › para 30"), m)


def test_a_resolution_is_found_by_its_title_in_either_language_but_a_bare_title_phrase_is_not_a_name():
    docs = {
        **DOCS,
        "a-res-80-218-en": Document(
            id="a-res-80-218-en",
            title="Protection of migrants",
            lang="en",
            family="unga-resolution",
            path="r.pdf",
            symbol="A/RES/80/218",
            other_titles=("Protection des migrants",),
        ),
    }
    assert find("Les résolutions sur la protection des migrants recommandent-elles…", docs).doc_ids == {"a-res-80-218-en"}
    assert find("la résolution intitulée « Protection des migrants »", docs).doc_ids == {"a-res-80-218-en"}
    assert find("What does the resolution on the protection of migrants say?", docs).doc_ids == {"a-res-80-218-en"}
    assert find("the Protection of migrants resolution", docs).doc_ids == {"a-res-80-218-en"}
    assert not find("Quelle est la protection des migrants en mer ?", docs).doc_ids
