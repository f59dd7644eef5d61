"""Tests for the Justice Canada XML loader: small hand-written files for each rule, then the
twelve real consolidations in the shared corpus (skipped where that folder is absent)."""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from policyqa.corpus.formats.xml import read_law_xml
from policyqa.types import Section

# --- tiny files -----------------------------------------------------------------------------


def _write(tmp_path: Path, body: str, *, root: str = "Statute", lang: str = "en", extra: str = "") -> Path:
    path = tmp_path / f"law-{lang}.xml"
    path.write_text(
        f'<?xml version="1.0" encoding="utf-8"?>'
        f'<{root} xml:lang="{lang}" xmlns:lims="http://justice.gc.ca/lims">'
        f"<Identification><ShortTitle>Test Act</ShortTitle></Identification>"
        f"<Body>{body}</Body>{extra}</{root}>",
        encoding="utf-8",
    )
    return path


def _by_key(sections: list[Section]) -> dict[str, Section]:
    return {s.key: s for s in sections}


NESTED = """
<Heading level="1"><Label>PART 1</Label><TitleText>General</TitleText></Heading>
<Section lims:id="1"><MarginalNote lims:id="2">Objectives</MarginalNote><Label>3</Label>
  <Subsection><Label>(1)</Label><Text>The objectives are</Text>
    <Paragraph><Label>(a)</Label><Text>to   permit
       <Emphasis style="italic">benefits</Emphasis>;</Text></Paragraph>
    <Paragraph><Label>(b)</Label><Text><Repealed>[Repealed, 2012, c. 17, s. 1]</Repealed></Text></Paragraph>
    <Paragraph><Label>(c)</Label><Text>to see that</Text>
      <Subparagraph><Label>(i)</Label><Text>families are reunited,</Text>
        <Clause><Label>(A)</Label><Text>in Canada,</Text></Clause></Subparagraph>
      <Subparagraph><Label>(ii)</Label><Text>in time<FootnoteRef idref="f1">*</FootnoteRef>.</Text></Subparagraph>
    </Paragraph>
    <ContinuedSectionSubsection><Text>and the Minister may act.</Text></ContinuedSectionSubsection>
    <Footnote id="f1" status="editorial"><Label>*</Label><Text>[Note: in force 2002.]</Text></Footnote>
  </Subsection>
  <Subsection><MarginalNote>Definitions</MarginalNote><Label>(2)</Label><Text>In this section,</Text>
    <Definition><Text><DefinedTermEn>refugee</DefinedTermEn> means a person. (<DefinedTermFr>réfugié</DefinedTermFr>)</Text></Definition>
    <Definition><Text><DefinedTermEn>agent</DefinedTermEn><Repealed>[Repealed, SOR/2016-37, s. 2]</Repealed></Text></Definition>
  </Subsection>
  <Subsection><Label>(3)</Label><Text><Repealed>[Repealed, 2001, c. 27, s. 9]</Repealed></Text></Subsection>
  <HistoricalNote><HistoricalNoteSubItem>2001, c. 27, s. 3</HistoricalNoteSubItem></HistoricalNote>
</Section>
<Section><MarginalNote>Powers</MarginalNote><Label>4</Label><Text>The Minister may</Text>
  <Paragraph><Label>(a)</Label><Text>issue visas; and</Text></Paragraph>
  <Paragraph><Label>(b)</Label><Text>refuse them.</Text></Paragraph>
</Section>
<Section><Label>5</Label><Text><Repealed>[Repealed, 2015, c. 36, s. 170]</Repealed></Text></Section>
<Section><Label>6 and 7</Label><Text>[Amendments]</Text></Section>
"""


def test_nested_units_are_flattened_in_order_with_labels(tmp_path: Path) -> None:
    sections, warnings = read_law_xml(_write(tmp_path, NESTED), "en")
    assert warnings == []
    s3 = _by_key(sections)["s-3"]
    assert s3.locator == "Part 1 › s. 3 — Objectives"
    assert s3.kind == "section" and s3.lead == "Objectives"
    assert [i.label for i in s3.items] == ["(1)", "(2)"]  # repealed (3) dropped
    assert s3.items[0].text.split("\n") == [
        "The objectives are",
        "(a) to permit benefits;",
        "(c) to see that",
        "(i) families are reunited,",
        "(A) in Canada,",
        "(ii) in time.",
        "and the Minister may act.",
    ]
    assert s3.notes == ("* [Note: in force 2002.]",)


def test_definitions_keep_their_terms_and_drop_repealed_ones(tmp_path: Path) -> None:
    s3 = _by_key(read_law_xml(_write(tmp_path, NESTED), "en")[0])["s-3"]
    assert s3.items[1].text == "Definitions\nIn this section,\nrefugee means a person. (réfugié)"


def test_paragraphs_become_items_when_there_are_no_subsections(tmp_path: Path) -> None:
    s4 = _by_key(read_law_xml(_write(tmp_path, NESTED), "en")[0])["s-4"]
    assert s4.lead == "Powers\nThe Minister may"
    assert [(i.label, i.text) for i in s4.items] == [("(a)", "issue visas; and"), ("(b)", "refuse them.")]
    assert s4.text == "Powers\nThe Minister may\n(a) issue visas; and\n(b) refuse them."


def test_repealed_sections_and_amendment_placeholders_yield_nothing(tmp_path: Path) -> None:
    sections, warnings = read_law_xml(_write(tmp_path, NESTED), "en")
    assert [s.key for s in sections] == ["s-3", "s-4"]
    assert warnings == []
    assert not any(re.search(r"Repealed|\[|HistoricalNote|2001, c\. 27", s.text) for s in sections)


def test_pages_and_offsets_stay_empty(tmp_path: Path) -> None:
    for s in read_law_xml(_write(tmp_path, NESTED), "en")[0]:
        assert (s.page_start, s.page_end, s.char_start, s.char_end) == (None, None, None, None)
        assert all(i.page_start is None and i.char_start is None for i in s.items)


def test_french_locators_and_language_neutral_keys(tmp_path: Path) -> None:
    body = """
    <Heading level="1"><Label>PARTIE 2</Label><TitleText>Asile</TitleText></Heading>
    <Section><MarginalNote>Principe</MarginalNote><Label>115</Label><Text>Ne peut être renvoyée.</Text></Section>
    <Section><Label>8 et 9</Label><Text>Texte.</Text></Section>
    """
    sections, _ = read_law_xml(_write(tmp_path, body, lang="fr"), "fr")
    assert [(s.key, s.locator) for s in sections] == [
        ("s-115", "Partie 2 › art. 115 — Principe"),
        ("s-8-9", "Partie 2 › art. 8 et 9"),
    ]


def test_an_unlabelled_level_one_heading_closes_the_part(tmp_path: Path) -> None:
    body = """
    <Heading level="1"><Label>PART 1</Label><TitleText>A</TitleText></Heading>
    <Heading level="2"><Label>DIVISION 1</Label><TitleText>B</TitleText></Heading>
    <Section><Label>1</Label><Text>One.</Text></Section>
    <Heading level="1"><TitleText>Coming into Force</TitleText></Heading>
    <Section><Label>2</Label><Text>Two.</Text></Section>
    """
    sections, _ = read_law_xml(_write(tmp_path, body), "en")
    assert [s.locator for s in sections] == ["Part 1 › s. 1", "s. 2"]


@pytest.mark.parametrize(
    ("lang", "title", "expected"),
    [
        ("en", "Refugee Protection Division Rules", "rule 3"),
        ("fr", "Règles de la Section de la protection des réfugiés", "règle 3"),
        ("en", "Immigration and Refugee Protection Regulations", "s. 3"),
    ],
)
def test_rules_are_cited_as_rules(tmp_path: Path, lang: str, title: str, expected: str) -> None:
    path = tmp_path / "rules.xml"
    path.write_text(
        f'<Regulation xml:lang="{lang}"><Identification><LongTitle>{title}</LongTitle></Identification>'
        "<Body><Section><Label>3</Label><Text>Text.</Text></Section></Body></Regulation>",
        encoding="utf-8",
    )
    assert read_law_xml(path, lang)[0][0].locator == expected


SCHEDULES = """
<Schedule><ScheduleFormHeading><Label>SCHEDULE</Label><OriginatingRef>(Subsection 2(1))</OriginatingRef></ScheduleFormHeading>
  <DocumentInternal><Group><GroupHeading><TitleText>Article 1 of the Convention</TitleText></GroupHeading>
    <Provision><Label>F</Label><Text>It shall not apply to a person who:</Text>
      <Provision><Label>(a)</Label><Text>committed a crime;</Text></Provision>
      <Provision><Label>(b)</Label><Text>committed another.</Text></Provision></Provision>
  </Group></DocumentInternal>
</Schedule>
<Schedule><ScheduleFormHeading><Label>SCHEDULE 2</Label><TitleText>Violations</TitleText></ScheduleFormHeading>
  <TableGroup><Caption>TABLE 1</Caption><table><title>Points</title><tgroup cols="3">
    <colspec colname="c1"/><colspec colname="c2"/><colspec colname="c3"/>
    <thead><row><entry/><entry>Column 1</entry><entry>Column 2</entry></row>
           <row><entry>Item</entry><entry>Criterion</entry><entry>Points</entry></row></thead>
    <tbody><row><entry>1</entry><entry>First violation</entry><entry>1</entry></row></tbody></tgroup></table></TableGroup>
  <TableGroup><Caption>TABLE 2</Caption><table><title>Amounts</title><tgroup cols="2">
    <colspec colname="c1"/><colspec colname="c2"/>
    <thead><row><entry>Item</entry><entry>Amount</entry></row></thead>
    <tbody><row><entry>1</entry><entry>500</entry></row></tbody></tgroup></table></TableGroup>
  <HistoricalNote><HistoricalNoteSubItem>SOR/2015-144, s. 9</HistoricalNoteSubItem></HistoricalNote>
</Schedule>
<Schedule><ScheduleFormHeading><Label>SCHEDULE 3</Label></ScheduleFormHeading><Repealed>[Repealed, SOR/2020-55, s. 7]</Repealed></Schedule>
<Schedule id="NifProvs"><ScheduleFormHeading type="amending"><TitleText>AMENDMENTS NOT IN FORCE</TitleText></ScheduleFormHeading>
  <BillPiece><Section type="amending"><Label>3</Label><Text>Section 3 is replaced.</Text></Section></BillPiece></Schedule>
"""


def test_schedules_give_citable_provisions_and_tables(tmp_path: Path) -> None:
    body = "<Section><Label>1</Label><Text>One.</Text></Section>"
    sections, warnings = read_law_xml(_write(tmp_path, body, extra=SCHEDULES), "en")
    assert warnings == []
    assert [s.key for s in sections] == ["s-1", "sch-1/grp-1/F", "sch-2/table-1", "sch-2/table-2"]
    f = sections[1]
    assert f.locator == "Schedule › F — Article 1 of the Convention"
    assert f.lead == "Article 1 of the Convention\nIt shall not apply to a person who:"
    assert [(i.label, i.text) for i in f.items] == [("(a)", "committed a crime;"), ("(b)", "committed another.")]
    t1, t2 = sections[2], sections[3]
    assert t1.locator == "Schedule 2 › Table 1 — Points"
    assert [(i.label, i.text) for i in t1.items] == [("1", "Criterion: First violation | Points: 1")]
    assert [(i.label, i.text) for i in t2.items] == [("1", "500")]


def test_country_list_schedule_is_one_section_with_one_item_per_entry(tmp_path: Path) -> None:
    extra = (
        "<Schedule><ScheduleFormHeading><Label>ANNEXE 1.1</Label><TitleText>Pays</TitleText></ScheduleFormHeading>"
        "<List><Item><Text>Andorre</Text></Item><Item><Text>Australie</Text></Item></List></Schedule>"
    )
    sections, _ = read_law_xml(_write(tmp_path, "", lang="fr", extra=extra), "fr")
    (sch,) = sections
    assert (sch.key, sch.locator, sch.lead) == ("sch-1.1", "Annexe 1.1 — Pays", "Pays")
    assert [i.text for i in sch.items] == ["Andorre", "Australie"]


def test_malformed_xml_names_the_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "broken-en.xml"
    path.write_text('<?xml version="1.0"?>\n<Statute>\n<Body>\n<Section></Body>\n</Statute>\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"^broken-en\.xml: not well-formed XML at line 4: "):
        read_law_xml(path, "en")


def test_other_xml_roots_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "feed.xml"
    path.write_text("<rss><channel/></rss>", encoding="utf-8")
    with pytest.raises(ValueError, match=r"feed\.xml: root element is <rss>"):
        read_law_xml(path, "en")


def test_unsupported_language_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="language"):
        read_law_xml(_write(tmp_path, ""), "de")


def test_surprises_are_reported_as_warnings(tmp_path: Path) -> None:
    body = (
        "<Section><Label>1</Label><Subsection><Label>(1)</Label><Text>Text</Text>"
        "<FormulaGroup><Formula>A = B</Formula></FormulaGroup></Subsection></Section>"
        "<Section><Label>1</Label><Text>Again.</Text></Section>"
    )
    sections, warnings = read_law_xml(_write(tmp_path, body, lang="fr"), "en")
    assert [s.key for s in sections] == ["s-1", "s-1~2"]
    assert sections[0].items[0].text == "Text\nA = B"  # unknown element: text kept
    assert any("<FormulaGroup>" in w for w in warnings)
    assert any("xml:lang='fr'" in w for w in warnings)
    assert any("duplicate key 's-1'" in w for w in warnings)
    assert all(w.startswith("law-fr.xml: ") for w in warnings)


# --- the real consolidations ----------------------------------------------------------------

SHARED = Path(os.environ.get("POLICYQA_SHARED_CORPUS") or Path(__file__).resolve().parents[2].parent / "shared" / "corpus")
PARALLEL = SHARED / "parallel"
STEMS = ["ca-irpa", "ca-irpr", "ca-citizenship-act", "ca-cbsa-act", "ca-irb-rpd-rules", "ca-irb-rad-rules"]
needs_corpus = pytest.mark.skipif(not (PARALLEL / "ca-irpa-en.xml").is_file(), reason=f"shared corpus not found at {PARALLEL}")
_CACHE: dict[tuple[str, str], tuple[list[Section], list[str]]] = {}


def _load(stem: str, lang: str) -> tuple[list[Section], list[str]]:
    # The IRPR is 1.6 MB; each file is read once for the whole module.
    if (stem, lang) not in _CACHE:
        _CACHE[stem, lang] = read_law_xml(PARALLEL / f"{stem}-{lang}.xml", lang)
    return _CACHE[stem, lang]


@needs_corpus
def test_irpa_section_3_objectives() -> None:
    s3 = _by_key(_load("ca-irpa", "en")[0])["s-3"]
    assert s3.locator == "s. 3 — Objectives — immigration"
    assert [i.label for i in s3.items] == ["(1)", "(2)", "(3)"]
    assert "(a) to permit Canada to pursue the maximum social, cultural and economic benefits" in s3.items[0].text
    assert s3.items[1].text.startswith("Objectives — refugees\nThe objectives of this Act with respect to refugees")
    fr = _by_key(_load("ca-irpa", "fr")[0])["s-3"]
    assert fr.locator == "art. 3 — Objet en matière d’immigration"
    assert "a) de permettre au Canada de retirer de l’immigration" in fr.items[0].text


@needs_corpus
def test_irpa_section_115_non_refoulement() -> None:
    s = _by_key(_load("ca-irpa", "en")[0])["s-115"]
    assert s.locator == "Part 2 › s. 115 — Protection"
    assert [i.label for i in s.items] == ["(1)", "(2)", "(3)"]
    assert "shall not be removed from Canada to a country where they would be at risk of persecution" in s.text
    assert "(b) who is inadmissible on grounds of security" in s.items[1].text
    fr = _by_key(_load("ca-irpa", "fr")[0])["s-115"]
    assert fr.locator == "Partie 2 › art. 115 — Principe"
    assert fr.items[0].text.startswith("Ne peut être renvoyée dans un pays où elle risque la persécution")


@needs_corpus
def test_irpa_schedule_reproduces_refugee_convention_exclusions() -> None:
    by = _by_key(_load("ca-irpa", "en")[0])
    f = by["sch-1/grp-1/F"]
    assert f.locator.startswith("Schedule › F — Sections E and F of Article 1")
    assert [i.label for i in f.items] == ["(a)", "(b)", "(c)"]
    assert "crime against humanity" in f.items[0].text
    assert "sch-1/grp-1/E" in by and "sch-1/grp-2/1" in by


@needs_corpus
@pytest.mark.parametrize("stem", STEMS)
def test_english_and_french_keys_pair_up(stem: str) -> None:
    en, fr = _load(stem, "en")[0], _load(stem, "fr")[0]
    assert [s.key for s in en] == [s.key for s in fr]
    assert len({s.key for s in en}) == len(en)


@needs_corpus
@pytest.mark.parametrize("stem", STEMS)
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_text_is_clean(stem: str, lang: str) -> None:
    sections, warnings = _load(stem, lang)
    assert warnings == []
    assert sections
    for s in sections:
        text = f"{s.locator}\n{s.text}"
        assert s.text.strip(), s.key
        assert not re.search(r"Repealed|Abrog|\[Amendments?\]|\[Modifications?\]", text), s.key
        assert not re.search(r"[<>]|lims:|\{http", text), s.key
        assert not re.search(r"[ \t]{2,}|\n\n|^ | $", text, re.M), s.key
        assert all(i.text.strip() for i in s.items), s.key


@needs_corpus
@pytest.mark.parametrize(
    ("stem", "lang", "unit"),
    [
        ("ca-irb-rpd-rules", "en", "rule"),
        ("ca-irb-rad-rules", "fr", "règle"),
        ("ca-irpr", "en", "s."),
        ("ca-citizenship-act", "fr", "art."),
    ],
)
def test_units_are_named_as_the_document_names_them(stem: str, lang: str, unit: str) -> None:
    first = _load(stem, lang)[0][0]
    assert re.match(rf"(?:Part(?:ie)? \S+ › )?{re.escape(unit)} 1\b", first.locator), first.locator


def _body_counts(path: Path) -> tuple[int, int, int]:
    """Body sections in the file: all, repealed, and spent-amendment placeholders."""
    body = ET.parse(path).getroot().find("Body")
    sections = body.findall("Section")
    repealed = [s for s in sections if s.find("Text/Repealed") is not None]
    placeholders = [s for s in sections if re.fullmatch(r"\[[^\]]*\]", (s.findtext("Text") or "").strip())]
    return len(sections), len(repealed), len(placeholders)


@needs_corpus
def test_irpa_counts_match_the_source_notes() -> None:
    path = PARALLEL / "ca-irpa-en.xml"
    # SOURCES.md: 398 Section elements in all (body 1–275 plus the schedules' amending
    # sections), 22 Repealed markers, three schedules of which one is the law's own.
    root = ET.parse(path).getroot()
    assert len(list(root.iter("Section"))) == 398
    assert len(root.findall("Schedule")) == 3
    total, repealed, placeholders = _body_counts(path)
    sections = _load("ca-irpa", "en")[0]
    body = [s for s in sections if s.key.startswith("s-")]
    assert len(body) == total - repealed - placeholders
    assert 250 <= len(body) <= 300
    keys = {s.key for s in body}
    assert {"s-1", "s-3", "s-96", "s-97", "s-115", "s-275"} <= keys
    assert body[0].key == "s-1" and body[-1].key == "s-275"
    assert not {"s-11.1", "s-130", "s-132", "s-245"} & keys  # the four repealed sections


@needs_corpus
@pytest.mark.parametrize("stem", STEMS)
def test_every_live_body_section_is_read(stem: str) -> None:
    for lang in ("en", "fr"):
        total, repealed, placeholders = _body_counts(PARALLEL / f"{stem}-{lang}.xml")
        body = [s for s in _load(stem, lang)[0] if s.key.startswith("s-")]
        assert len(body) == total - repealed - placeholders
