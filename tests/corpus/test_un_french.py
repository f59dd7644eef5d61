"""French General Assembly texts in the official French layout: parsed into the same
language-neutral keys as the English versions (pp-N, op-N, para-N), so that each French
paragraph is paired with its English one, here against the real English A/RES/80/218 and GCM."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import REPO, require_shared_corpus
from un_fr_factory import write_resolution
from un_fr_texts import a_res_80_218_fr, gcm_fr, item_labels

from policyqa.corpus import catalog, ingest, roles

CATALOGUE = {d.id: d for d in catalog.load_catalog([REPO / "corpus" / "catalog.toml"])}
FURNITURE = re.compile(r"25-20973|\*2520973\*|\b\d/\d{1,2}\b|A/RES/80/218 Protection|séance plénière|Distr\.|Nations Unies")


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    shared = require_shared_corpus()
    local = tmp_path_factory.mktemp("local")
    english = ingest.ingest([CATALOGUE["a-res-80-218-en"], CATALOGUE["gcm-en"]], (shared,))
    write_resolution(local / CATALOGUE["a-res-80-218-fr"].path, a_res_80_218_fr(item_labels(english.documents[0].passages)))
    write_resolution(local / CATALOGUE["gcm-fr"].path, gcm_fr(item_labels(english.documents[1].passages)))
    docs = [CATALOGUE[i] for i in ("a-res-80-218-en", "a-res-80-218-fr", "gcm-en", "gcm-fr")]
    return ingest.ingest(docs, (local, shared))


def _by_doc(report) -> dict[str, list]:
    return {d.document.id: list(d.passages) for d in report.documents}


def test_the_french_resolution_is_read_without_problems(report):
    fr = next(d for d in report.documents if d.document.id == "a-res-80-218-fr")
    assert fr.available and not [p for p in fr.problems if p.severity == "error"], fr.problems
    assert not [p for p in fr.problems if "footnote" in p.message], fr.problems


def test_french_sections_get_the_english_keys_and_french_locators(report):
    passages = _by_doc(report)
    fr, en = passages["a-res-80-218-fr"], passages["a-res-80-218-en"]
    keys = list(dict.fromkeys(p.section_key for p in fr))
    assert keys == [f"pp-{n}" for n in range(1, 39)] + [f"op-{n}" for n in range(1, 34)]
    assert set(keys) == {p.section_key for p in en}
    first = {p.section_key: p for p in reversed(fr)}
    assert first["pp-2"].locator == "préambule, alinéa 2" and first["op-12"].locator == "par. 12"
    assert first["pp-1"].text.startswith("Rappelant toutes ses résolutions antérieures")
    # The footnote mark is out of the text, the note kept with its paragraph.
    assert "droits de l’homme, qui proclame" in first["pp-2"].text and first["pp-2"].notes == ("1 Résolution 217 A (III).",)
    assert first["pp-4"].text == "Rappelant le paragraphe 2 de sa résolution 79/160 et les principes directeurs pertinents,"
    assert first["pp-4"].notes == ("2 A/HRC/55/30, annexe.",)
    assert first["pp-36"].text.startswith("Consciente que les enfants migrants")
    assert first["op-32"].text.endswith("l’application de la présente résolution ;")
    assert first["op-33"].text == "Décide de rester saisie de la question."
    for p in fr:
        assert not FURNITURE.search(p.text), (p.locator, p.text)
        assert p.lang == "fr"
    assert roles.role(first["pp-3"]) == "preambular" and roles.role(first["op-1"]) == "operative"


def test_lettered_and_roman_sub_items_in_french_style(report):
    fr = _by_doc(report)["a-res-80-218-fr"]
    op4 = next(p for p in fr if p.section_key == "op-4")
    labels = re.findall(r"^([a-z]{1,3}\))", op4.text, re.M)
    assert labels == ["a)", "b)", "c)", "d)", "e)"]
    assert op4.text.startswith("Réaffirme les droits énoncés")
    assert "\nd) Demande aux États de respecter le principe de non-refoulement ;" in op4.text
    op6 = "\n".join(p.text for p in fr if p.section_key == "op-6")
    # "i)" and "ii)" under a) stay inside a) (as "(i)" does in English); b) is the next lettered
    # item, and the "i)" after "h)" is the ninth letter.
    assert list(dict.fromkeys(re.findall(r"^([a-z]{1,3}\))", op6, re.M))) == [f"{x})" for x in "abcdefghijklmno"]
    assert "a) Demande aux États d’appliquer la mesure a) ; à l’accès des migrants aux services de base ; à l’accès" in op6
    op5 = "\n".join(p.text for p in fr if p.section_key == "op-5")
    # "i)" after "h)" is the ninth letter, not a roman one.
    assert "\ni) Demande également aux États de poursuivre" in op5 and "\nk) Réaffirme avec force" in op5


def test_each_french_paragraph_is_paired_with_its_english_one(report):
    passages = _by_doc(report)
    en = {p.parallel_key: p for p in passages["a-res-80-218-en"] if p.parallel_key}
    fr = {p.parallel_key: p for p in passages["a-res-80-218-fr"] if p.parallel_key}
    assert set(fr) == set(en) and len(fr) == len(passages["a-res-80-218-fr"])
    assert en["a-res-80-218#pp-2"].text.startswith("Reaffirming the Universal Declaration of Human Rights")
    assert fr["a-res-80-218#pp-2"].text.startswith("Réaffirmant la Déclaration universelle")
    assert en["a-res-80-218#op-1"].text.startswith("Calls upon States to promote and protect")
    assert fr["a-res-80-218#op-1"].text.startswith("Demande aux États de promouvoir")
    # A long paragraph cut into runs of sub-items is cut at the same items in both languages.
    op5_en = [(p.locator, p.parallel_key) for p in passages["a-res-80-218-en"] if p.section_key == "op-5"]
    op5_fr = [(p.locator, p.parallel_key) for p in passages["a-res-80-218-fr"] if p.section_key == "op-5"]
    assert [k for _, k in op5_fr] == [k for _, k in op5_en] == [f"a-res-80-218#op-5/({x})" for x in "acfik"]
    assert [loc for loc, _ in op5_fr] == ["par. 5 a)–b)", "par. 5 c)–e)", "par. 5 f)–h)", "par. 5 i)–j)", "par. 5 k)"]
    a = next(p for p in passages["a-res-80-218-fr"] if p.parallel_key.endswith("op-5/(a)"))
    assert "\na) Demande à tous les États de respecter" in a.text and "\nb) Engage les États" in a.text


def test_the_french_gcm_is_paired_with_the_english_gcm(report):
    passages = _by_doc(report)
    fr, en = passages["gcm-fr"], passages["gcm-en"]
    assert list(dict.fromkeys(p.section_key for p in fr)) == list(dict.fromkeys(p.section_key for p in en))
    para29 = [p for p in fr if p.section_key == "para-29"]
    assert all(p.locator.startswith("Objectif 13 › par. 29") for p in para29)
    assert para29[0].context.startswith("Objectif 13 : Ne recourir au placement en rétention administrative")
    text = "\n".join(p.text for p in para29)
    assert "\nh) Protéger et respecter à tout moment les droits et l’intérêt supérieur de l’enfant" in text
    shared = {p.parallel_key for p in fr if p.parallel_key} & {p.parallel_key for p in en if p.parallel_key}
    assert "gcm#res/op-1" in shared and "gcm#para-28" in shared and any(k.startswith("gcm#para-29") for k in shared)
    h = next(p for p in fr if p.section_key == "para-29" and "\nh) " in p.text)
    english_h = next(p for p in en if p.parallel_key == h.parallel_key)
    assert "(h) Protect and respect the rights and best interests of the child" in english_h.text


def test_a_missing_french_file_leaves_the_english_as_it_was(tmp_path: Path):
    shared = require_shared_corpus()
    alone = ingest.ingest([CATALOGUE["a-res-80-218-en"], CATALOGUE["a-res-80-218-fr"]], (tmp_path, shared))
    fr = next(d for d in alone.documents if d.document.id == "a-res-80-218-fr")
    assert not fr.available and fr.problems[0].severity == "missing"
    assert "`policyqa corpus fetch --doc a-res-80-218-fr` downloads it" in fr.problems[0].message
    assert all(p.parallel_key == "" for p in alone.passages)
