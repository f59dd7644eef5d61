"""Cleaning rules, each checked on a small input the test builds itself: a miniature UN
resolution PDF (masthead, running heads, job numbers, footnotes), footnote marks, line
joining, character normalisation, a treaty with a trailing Dutch translation, a news page
with its web furniture and a Markdown declaration."""

from __future__ import annotations

import re
from pathlib import Path

import pdf_factory  # noqa: E402
import pytest
from pdf_factory import FOOTNOTE_1, FOOTNOTE_2, SYMBOL, TITLE  # noqa: E402

from policyqa.corpus import clean, load
from policyqa.corpus.formats import prose as structure_prose
from policyqa.corpus.formats import treaty as structure_treaty
from policyqa.corpus.formats import un as structure_un  # noqa: E402
from policyqa.types import Section  # noqa: E402

# --- UN page furniture: a miniature resolution read back from a real PDF ------------------


def _parse_un(tmp_path: Path, n_pages: int):
    path = pdf_factory.write_pdf(tmp_path / f"res-{n_pages}.pdf", pdf_factory.un_resolution_pages(n_pages))
    raw = load.read_pdf(path)
    cleaned = structure_un.clean_pages(list(raw.pages), SYMBOL)
    vocab = clean.vocabulary("\n".join(cleaned.texts.values()))
    found = structure_un.sections(cleaned, vocab, indent_signal=True, family="unga-resolution")
    return raw, cleaned, found


@pytest.fixture(scope="module")
def un3(tmp_path_factory):
    """The three-page layout of the brief: page 1 masthead, pages 2 and 3 with alternating heads."""
    return _parse_un(tmp_path_factory.mktemp("un3"), 3)


@pytest.fixture(scope="module")
def un5(tmp_path_factory):
    """The same resolution over five pages, so that each alternating head repeats."""
    return _parse_un(tmp_path_factory.mktemp("un5"), 5)


def _by_key(found: list[Section]) -> dict[str, Section]:
    return {s.key: s for s in found}


def test_fpdf_emulates_the_leading_space_of_indented_first_lines(un3):
    raw, _, _ = un3
    page1 = raw.pages[0].text.split("\n")
    assert " 1. Calls upon all States to protect the testing of software, and in" in page1
    assert "particular:" in page1  # continuation lines carry no indent
    assert "Human Rights,1 which" in raw.pages[0].text
    assert "23-12345 2/3" in raw.pages[1].text and "3/3 23-12345" in raw.pages[2].text


FURNITURE = [
    "23-12345",  # job number, with or without "(E)", date and page marker
    "2/3",
    "3/3",
    "2/5",
    "3/5",
    "4/5",
    "5/5",  # page markers
    "*2312345*",
    "2312345",  # barcode
    "Distr.",
    "Agenda item",
    "United Nations",
    "Ninety-ninth session",  # masthead
    "plenary meeting",
    "10 January 2025",  # closing formula
    "__",
    "The General Assembly",
]
NOTE_TEXTS = ["Resolution 217 A (III)", "217 A", "See A/99/100", "sect. II"]


@pytest.mark.parametrize("fixture", ["un3", "un5"])
def test_masthead_job_numbers_page_markers_barcode_and_footnotes_leave_the_text(fixture, request):
    _, cleaned, found = request.getfixturevalue(fixture)
    assert cleaned.title == f"99/1. {TITLE}"
    assert cleaned.warnings == []
    for section in found:
        for bit in FURNITURE + NOTE_TEXTS:
            assert bit not in section.text, (section.key, bit)
            assert bit not in section.lead
    for text in cleaned.texts.values():
        for bit in ["23-12345", "*2312345*", "Distr.", "__________", *NOTE_TEXTS]:
            assert bit not in text
        assert not re.search(r"(?m)^\s*\d/\d\s*$", text)


def test_running_heads_removed_when_each_alternating_head_repeats(un5):
    _, cleaned, found = un5
    for section in found:
        assert SYMBOL not in section.text, section.key
        assert TITLE not in section.text, section.key
    for page, text in cleaned.texts.items():
        if page > 1:
            assert SYMBOL not in text and TITLE not in text, page


@pytest.mark.parametrize("n_pages", [3, 4])
def test_running_heads_removed_from_a_short_resolution(n_pages, un3, tmp_path):
    _, cleaned, found = un3 if n_pages == 3 else _parse_un(tmp_path, n_pages)
    for section in found:
        assert SYMBOL not in section.text, (section.key, section.text)
        assert TITLE not in section.text, (section.key, section.text)


@pytest.mark.parametrize("fixture", ["un3", "un5"])
def test_footnote_goes_to_the_notes_of_the_section_that_cites_it(fixture, request):
    _, cleaned, found = request.getfixturevalue(fixture)
    by_key = _by_key(found)
    assert cleaned.notes == {1: FOOTNOTE_1, 2: FOOTNOTE_2}
    assert by_key["pp-1"].notes == (f"1 {FOOTNOTE_1}",)
    # note 2 is marked in sub-item (c), glued to a year: "12 July 20242"
    assert by_key["op-1"].notes == (f"2 {FOOTNOTE_2}",)
    others = [s for s in found if s.key not in {"pp-1", "op-1"}]
    assert all(s.notes == () for s in others)


@pytest.mark.parametrize("fixture", ["un3", "un5"])
def test_footnote_marks_are_removed_from_the_words(fixture, request):
    _, cleaned, found = request.getfixturevalue(fixture)
    by_key = _by_key(found)
    pp1 = by_key["pp-1"].text
    assert "Human Rights, which proclaims" in pp1
    assert "Rights,1" not in pp1
    item_c = by_key["op-1"].items[2]
    assert "12 July 2024 and its annex;" in item_c.text
    assert "20242" not in item_c.text
    # the mark's offset points at where it stood in the page's cleaned text
    page, offset, n = cleaned.marks[0]
    assert (page, n) == (1, 1)
    assert cleaned.texts[1][offset - len("Human Rights,") : offset] == "Human Rights,"


def test_preambular_and_operative_paragraphs_with_their_pages(un5):
    _, _, found = un5
    assert [s.key for s in found] == ["pp-1", "pp-2", "op-1", "op-2", "op-3", "op-4", "op-5"]
    assert [s.locator for s in found][:4] == ["preambular para 1", "preambular para 2", "op. 1", "op. 2"]
    pages = {s.key: (s.page_start, s.page_end) for s in found}
    assert pages == {
        "pp-1": (1, 1),
        "pp-2": (1, 1),
        "op-1": (1, 2),
        "op-2": (2, 2),
        "op-3": (3, 3),
        "op-4": (4, 4),
        "op-5": (5, 5),
    }
    by_key = _by_key(found)
    assert by_key["pp-1"].lead == (
        "Recalling the Universal Declaration of Human Rights, which proclaims that everyone is "
        "entitled to all the rights and freedoms set forth therein,"
    )
    assert by_key["op-2"].lead == (
        "Requests the Secretary-General to report on the implementation of the present resolution at its hundredth session;"
    )
    assert by_key["op-5"].lead == "Decides to remain seized of the matter."
    assert all(s.kind == "paragraph" for s in found if s.key.startswith("op-"))
    assert all(s.kind == "preamble" for s in found if s.key.startswith("pp-"))


def test_operative_numbers_and_pages_in_the_three_page_layout(un3):
    _, _, found = un3
    assert [s.key for s in found] == ["pp-1", "pp-2", "op-1", "op-2", "op-3"]
    by_key = _by_key(found)
    assert (by_key["op-1"].page_start, by_key["op-1"].page_end) == (1, 2)
    assert by_key["op-3"].page_start == 3
    assert by_key["op-3"].lead == "Decides to remain seized of the matter."


@pytest.mark.parametrize("fixture", ["un3", "un5"])
def test_sub_items_stay_with_their_paragraph_across_a_page_break(fixture, request):
    _, _, found = request.getfixturevalue(fixture)
    op1 = _by_key(found)["op-1"]
    assert op1.lead == "Calls upon all States to protect the testing of software, and in particular:"
    assert [i.label for i in op1.items] == ["(a)", "(b)", "(c)"]
    assert op1.items[0].text == "To write tests for every new function;"
    assert op1.items[0].page_start == 1
    assert op1.items[2].text == (
        "To publish the results of the tests, as recommended in the report of the Secretary-General of 12 July 2024 and its annex;"
    )
    assert (op1.items[2].page_start, op1.items[2].page_end) == (2, 2)
    # no sub-item became a paragraph or a preambular paragraph of its own
    assert not any(s.text.startswith(("(a)", "(b)", "(c)")) for s in found)


def test_sub_item_text_is_exact_when_heads_are_removed(un5):
    op1 = _by_key(un5[2])["op-1"]
    assert op1.items[1].text == "To run the tests before each release;"


def test_char_spans_point_into_the_cleaned_page_text(un5):
    _, cleaned, found = un5
    for section in found:
        if section.page_start == section.page_end:
            span = cleaned.texts[section.page_start][section.char_start : section.char_end]
            assert " ".join(span.split()).endswith(section.text.split()[-1]), section.key


def test_furniture_tokens():
    for line in ["23-12345 (E)    100124", "23-12345 2/14", "2/14 23-12345", "3/3", "*2312345*", "23-12345"]:
        assert clean.is_furniture_token(line), line
    for line in ["1. Calls upon", "2024/25", "A/RES/99/1", "Resolution 217 A (III).", ""]:
        assert not clean.is_furniture_token(line), line


def test_split_footnotes_continues_a_long_note_and_keeps_an_orphan():
    body, notes = clean.split_footnotes(
        ["text continued", "__________", "the rest of a note from the page before.", " 3 First note,", "which wraps.", " 4 Second note."]
    )
    assert body == ["text continued"]
    assert notes.orphan == "the rest of a note from the page before."
    assert notes.notes == {3: "First note, which wraps.", 4: "Second note."}


# --- footnote marks on strings ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "numbers", "expected"),
    [
        (
            "the Universal Declaration of Human Rights7 and the Covenants",
            [7],
            "the Universal Declaration of Human Rights and the Covenants",
        ),
        (
            "the Universal Declaration of Human Rights,8 and the Covenants",
            [8],
            "the Universal Declaration of Human Rights, and the Covenants",
        ),
        ("the report adopted on 12 July 20214 and its annex", [4], "the report adopted on 12 July 2021 and its annex"),
        ("the Universal Declaration of Human Rights, 6 which proclaims", [6], "the Universal Declaration of Human Rights, which proclaims"),
        ("the Rights of the Child\u201d9 and", [9], "the Rights of the Child\u201d and"),
        ("Rights,1 and Duties2 and Freedoms;3", [1, 2, 3], "Rights, and Duties and Freedoms;"),
    ],
)
def test_remove_footnote_marks(text, numbers, expected):
    cleaned, marks = clean.remove_footnote_marks(text, numbers)
    assert cleaned == expected
    assert [n for _, n in marks] == numbers
    # the first mark is recorded where its number stood: the text up to it is unchanged
    offset, n = marks[0]
    assert text[:offset] == cleaned[:offset]
    assert text[offset:].lstrip().startswith(str(n))
    assert [o for o, _ in marks] == sorted(o for o, _ in marks)


def test_remove_footnote_mark_at_a_line_start():
    text = "the Convention relating to the Status of Stateless Persons\n22  and the Convention on"
    cleaned, marks = clean.remove_footnote_marks(text, [22])
    assert "22" not in cleaned
    assert " ".join(cleaned.split()) == "the Convention relating to the Status of Stateless Persons and the Convention on"
    assert marks == [(len("the Convention relating to the Status of Stateless Persons"), 22)]


def test_cross_reference_is_kept_and_the_real_mark_removed():
    text = "as set out in article 5 of this Protocol, the States Parties5 shall cooperate"
    cleaned, marks = clean.remove_footnote_marks(text, [5])
    assert cleaned == "as set out in article 5 of this Protocol, the States Parties shall cooperate"
    assert marks == [(text.index("Parties5") + len("Parties"), 5)]


@pytest.mark.parametrize(
    "text",
    [
        "in accordance with paragraph 3 of resolution 70/1",
        "under objective 3 of the Global Compact",
        "for 3 per cent of all migrants",
    ],
)
def test_numbers_that_are_not_marks_stay(text):
    cleaned, marks = clean.remove_footnote_marks(text, [3])
    assert cleaned == text
    assert marks == []


def test_a_note_without_a_mark_is_reported_missing_not_guessed():
    cleaned, marks = clean.remove_footnote_marks("no mark here at all", [12])
    assert cleaned == "no mark here at all"
    assert marks == []


# --- joining lines ---------------------------------------------------------------------------


def test_real_hyphen_at_line_end_is_kept():
    vocab = clean.vocabulary("evidence based policies and evidence")
    assert "evidencebased" not in vocab
    assert clean.join_lines(["promote evidence-", "based policies"], vocab) == "promote evidence-based policies"


def test_hyphenation_is_undone_when_the_joined_word_is_in_the_vocabulary():
    vocab = clean.vocabulary("migration of the people, the migra tion")
    assert clean.join_lines(["the migra-", "tion of people"], vocab) == "the migration of people"


def test_hyphen_kept_before_a_capital():
    vocab = {"membernations", "member", "nations"}
    assert clean.join_lines(["Member-", "Nations"], vocab) == "Member-Nations"


def test_one_word_per_line_is_rejoined_with_single_spaces():
    lines = ["The", "  General ", "Assembly,", "", "recalling   its", "resolutions"]
    assert clean.join_lines(lines, set()) == "The General Assembly, recalling its resolutions"


def test_vocabulary_is_lower_case_words_and_compounds():
    assert clean.vocabulary("Migra-tion 2024 Rights,1 l'asile") == {"migra-tion", "migra", "tion", "rights", "l", "asile"}


def test_a_compound_the_document_uses_keeps_its_hyphen_at_a_line_end():
    # Both "crossborder" and "cross-border" occur: the hyphenated form the document uses wins.
    vocab = clean.vocabulary("cross-border movements and crossborder flows")
    assert clean.join_lines(["the cross-", "border flows"], vocab) == "the cross-border flows"
    plain = clean.vocabulary("crossborder flows")
    assert clean.join_lines(["the cross-", "border flows"], plain) == "the crossborder flows"


# --- characters ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Conﬂict", "Conflict"),
        ("ﬁnal ﬀort", "final ffort"),
        ("human\u00a0rights", "human rights"),
        ("migra\u00adtion", "migration"),
        ("zero\u200bwidth\ufeff", "zerowidth"),
        ("``quoted''", "\u201cquoted\u201d"),
        ("non\u2011binding", "non-binding"),
        ("full\uff0dwidth \uff21", "full-width A"),
    ],
)
def test_normalise_chars(raw, expected):
    assert clean.normalise_chars(raw) == expected


# --- a trailing Dutch translation ---------------------------------------------------------

TREATY = """## Convention on the Testing of Software

## Londen, 1 januari 2020

The States Parties to this Convention,

Considering that the testing of software is of benefit to all and that it should be encouraged by the Parties,

Have agreed as follows:

### Article  1

####Definitions

1. For the purposes of this Convention, the term ``test'' means any procedure by which a program is checked.

2. The provisions of this article shall be without prejudice to any other instrument which is in force.

### Article  2

####Obligations

Each State Party shall take the measures necessary to give effect to the provisions of this Convention.

####VERDRAG INZAKE HET TESTEN VAN PROGRAMMATUUR

De Staten die partij zijn bij dit Verdrag,

Overwegende dat het testen van programmatuur van belang is voor allen en dat het door de Partijen moet worden aangemoedigd,

Zijn het volgende overeengekomen:

### Artikel  1

####Begripsomschrijvingen

1. Voor de toepassing van dit Verdrag wordt onder de term ``test'' verstaan elke procedure waarmee een programma wordt gecontroleerd.

2. De bepalingen van dit artikel doen niet af aan een ander instrument dat van kracht is.

### Artikel  2

Elke Staat die partij is, neemt de maatregelen die nodig zijn om uitvoering te geven aan de bepalingen van dit Verdrag.
"""

DUTCH = [
    "Verdrag",
    "VERDRAG",
    "Artikel",
    "wordt",
    "partij",
    "Staten",
    "overeengekomen",
    "Begripsomschrijvingen",
    "bepalingen",
    "maatregelen",
    "januari",
    "Londen",
]


@pytest.fixture(scope="module")
def treaty():
    return structure_treaty.sections(structure_treaty.clean_text(TREATY), "en")


def test_trailing_dutch_translation_is_dropped(treaty):
    found, _ = treaty
    for section in found:
        for word in DUTCH:
            assert word not in section.text, (section.key, word)
            assert word not in section.locator and word not in section.context


def test_english_articles_are_kept(treaty):
    found, _ = treaty
    assert [s.key for s in found] == ["preamble", "art-1", "art-2"]
    by_key = _by_key(found)
    assert by_key["preamble"].lead.startswith("The States Parties to this Convention,")
    assert by_key["preamble"].lead.endswith("Have agreed as follows:")
    art1 = by_key["art-1"]
    assert art1.locator == "Article 1"
    assert art1.context == "Definitions"
    assert [i.label for i in art1.items] == ["1.", "2."]
    assert art1.items[0].text == (
        "For the purposes of this Convention, the term \u201ctest\u201d means any procedure by which a program is checked."
    )
    assert by_key["art-2"].context == "Obligations"
    assert by_key["art-2"].lead == (
        "Each State Party shall take the measures necessary to give effect to the provisions of this Convention."
    )
    assert not any("#" in s.text or "``" in s.text for s in found)


def test_warning_names_the_dropped_translation(treaty):
    _, warnings = treaty
    assert len(warnings) == 1
    assert "translation" in warnings[0] and "nl" in warnings[0]


def test_an_english_only_treaty_has_no_warning():
    english = TREATY.split("####VERDRAG")[0]
    found, warnings = structure_treaty.sections(structure_treaty.clean_text(english), "en")
    assert warnings == []
    assert [s.key for s in found] == ["preamble", "art-1", "art-2"]


def test_guess_language():
    assert clean.guess_language("The provisions of this article shall be applied") == "en"
    assert clean.guess_language("De bepalingen van dit artikel worden niet toegepast op het verdrag") == "nl"
    assert clean.guess_language("Les dispositions de la présente convention sont applicables dans les États") == "fr"
    assert clean.guess_language("### Artikel 1") == ""


# --- web-page furniture -------------------------------------------------------------------

NEWS = """15.2 C
Casablanca
vendredi, janvier 31, 2025
Annonces légales
Migration : le Maroc renforce sa coopération régionale
Rabat - Le Maroc a présenté jeudi à Rabat un nouveau plan national pour la migration et l'asile, a-t-on appris auprès du ministère.
Le plan prévoit la régularisation des migrants en situation irrégulière et un meilleur accès aux services de base.
Cet article Migration : le Maroc renforce sa coopération régionale est apparu en premier sur MAP Express.
Latest Posts
spot_imgspot_img
Un autre article sans rapport avec le sujet, publié le même jour par la rédaction du site.
"""
BODY = [
    "Rabat - Le Maroc a présenté jeudi à Rabat un nouveau plan national pour la migration et l'asile, a-t-on appris auprès du ministère.",
    "Le plan prévoit la régularisation des migrants en situation irrégulière et un meilleur accès aux services de base.",
]


def test_only_the_body_paragraphs_of_a_news_page_remain():
    found, warnings = structure_prose.note(structure_prose.clean_text(NEWS, False), "fr")
    assert [s.lead for s in found] == BODY
    assert [s.key for s in found] == ["p-1", "p-2"]
    # the article's title is a heading: context, not a paragraph
    assert all(s.context == "Migration : le Maroc renforce sa coopération régionale" for s in found)
    joined = "\n".join(s.text + s.locator for s in found)
    for bit in ["15.2", "Casablanca", "vendredi", "Annonces", "Cet article", "MAP Express", "Latest Posts", "spot_img", "Un autre article"]:
        assert bit not in joined
    assert warnings and "furniture" in warnings[0]


def test_web_furniture_between_paragraphs_is_dropped_without_a_syndication_line():
    text = "\n".join(["-3 °C", "Rabat", BODY[0], "spot_imgspot_img", "Latest Posts", "lundi, février 3, 2025", BODY[1]])
    found, warnings = structure_prose.note(text, "fr")
    assert [s.lead for s in found] == BODY
    assert warnings == ["dropped 5 line(s) of web-page furniture"]


def test_a_real_sentence_mentioning_a_city_is_kept():
    line = "Casablanca accueille une réunion régionale sur la migration, selon le ministère de l'Intérieur."
    found, _ = structure_prose.note(line, "fr")
    assert [s.lead for s in found] == [line]


# --- Markdown declaration -----------------------------------------------------------------

DECLARATION = """**Promoting Safe Migration
and Regular Pathways**

<!-- -->

We, the Heads of State, **affirm** our commitment to the [Global Compact](https://example.org/gcm) and to
regular pathways for migrants.

-   Expanding labour
    pathways for workers;
-   Strengthening family reunification.

------

**Protecting Migrants**

We will protect the human rights of all migrants, regardless of their status.

###
"""


@pytest.fixture(scope="module")
def declaration():
    return structure_prose.declaration(structure_prose.clean_text(DECLARATION, True), "en")


def test_wrapped_bold_heading_becomes_context(declaration):
    heads = [s.context for s in declaration]
    assert heads == ["Promoting Safe Migration and Regular Pathways"] * 3 + ["Protecting Migrants"]
    assert declaration[0].locator == "Promoting Safe Migration and Regular Pathways › para 1"
    assert not any("Promoting" in s.lead for s in declaration)


def test_bullets_are_sections_of_their_own(declaration):
    assert [(s.key, s.kind) for s in declaration] == [
        ("p-1", "paragraph"),
        ("bullet-1", "bullet"),
        ("bullet-2", "bullet"),
        ("p-2", "paragraph"),
    ]
    assert declaration[1].lead == "Expanding labour pathways for workers;"
    assert declaration[2].lead == "Strengthening family reunification."
    assert declaration[1].locator == "Promoting Safe Migration and Regular Pathways › bullet 1"


def test_no_markup_remains(declaration):
    assert declaration[0].lead == (
        "We, the Heads of State, affirm our commitment to the Global Compact and to regular pathways for migrants."
    )
    for section in declaration:
        for bit in ["**", "<!--", "-->", "---", "](", "http", "#", "-   "]:
            assert bit not in section.text, (section.key, bit)
            assert bit not in section.locator
            assert bit not in section.context
