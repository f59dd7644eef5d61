"""Case exercises for magistrates, reviewed item by item against the provisions they cite:
the real documents, ingested and indexed, every quote found in its passage, every option
explained, the French set framed in French, the handout without internal ids."""

from __future__ import annotations

import json
import re
from dataclasses import replace

import pytest
from conftest import REPO, require_shared_corpus
from training_checks import (
    ENGLISH_LABELS,
    PASSAGE_ID,
    assert_no_stranded_headings,
    assert_pages_not_blank,
    french_prose,
    norm,
    pdf_text,
    quote_is_in,
)

from policyqa.corpus import catalog, ingest
from policyqa.index.embedder import HashingEmbedder
from policyqa.index.store import build_index, load_index
from policyqa.text import language
from policyqa.training.case_layout import cases_handout, cases_json
from policyqa.training.cases import LANGS, case_set, check, load_cases
from policyqa.training.output import write_handout
from policyqa.training.render_md import render_markdown
from policyqa.training.wording import binding

# Every situation the training sessions ask for, in each language.
REQUIRED_TOPICS = {"smuggling", "trafficking", "children"}
HEX_ID = re.compile(r"\b[0-9a-f]{12,}\b")


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    cited = sorted({c.doc_id for lang in LANGS for case in load_cases(lang) for c in case.provisions + case.elements})
    every = catalog.load_catalog([REPO / "corpus" / "catalog.toml"])
    docs = catalog.select(every, ids=cited)
    passages = ingest.ingest(docs, (require_shared_corpus(),)).passages
    embedder, root = HashingEmbedder(), tmp_path_factory.mktemp("cases-index")
    # With the whole catalogue, as `policyqa index build` writes it: the French cases name the
    # English treaties by their French versions' titles, held or not, as the answers do.
    build_index(passages, docs, embedder.embed_documents, embedder.name, embedder.fingerprint, embedder.dimension, root, catalogue=every)
    return load_index(root)


ALL = [(lang, case.id) for lang in LANGS for case in load_cases(lang)]


@pytest.mark.parametrize("lang, case_id", ALL, ids=[c for _, c in ALL])
def test_each_case_against_its_cited_provisions(index, lang, case_id):
    case = next(c for c in load_cases(lang) if c.id == case_id)
    problems, provisions, elements = check(case, index)
    assert not problems, problems
    assert case.lang == lang and case.id.startswith(f"{lang}-")
    # One correct answer among four, every option explained.
    assert len(case.options) == 4 and sum(o.correct for o in case.options) == 1
    assert [o.label for o in case.options] == ["A", "B", "C", "D"]
    assert all(len(o.explanation.split()) >= 6 for o in case.options)
    # The controlling provisions and the legal elements of the facts, each quoted from its passage.
    assert 1 <= len(provisions) <= 4 and 2 <= len(elements) <= 5
    for found in provisions + elements:
        assert quote_is_in(found.cited.quote, found.passage), found.cited
        assert len(found.cited.quote.split()) >= 5
    # Binding provisions first.
    natures = [binding(p.document) for p in provisions]
    assert natures == sorted(natures, reverse=True)
    # The answer is applied, not recognised: the correct option does not copy a quote.
    answer = norm(case.answer.text).lower()
    for found in provisions + elements:
        words = norm(found.cited.quote).lower().split()
        runs = {" ".join(words[i : i + 10]) for i in range(max(0, len(words) - 9))}
        assert not any(run in answer for run in runs), (case.id, found.cited.locator)
    # Written in the case's language (quotes aside): the facts, the question and the explanations.
    for text in (case.facts, case.question, case.answer.explanation):
        assert language.identify(text).lang == lang, text[:80]


@pytest.mark.parametrize("lang", LANGS)
def test_ten_cases_a_language_covering_the_situations_of_a_session(index, lang):
    cases = case_set(index, lang)
    assert len(cases.cases) == 10 and not cases.problems
    assert REQUIRED_TOPICS <= {c.topic for c in cases.cases}
    assert len({c.facts for c in cases.cases}) == 10


def test_a_case_whose_quote_is_not_the_text_is_left_out_and_named(index):
    case = load_cases("en")[0]
    altered = replace(case, provisions=(replace(case.provisions[0], quote=case.provisions[0].quote + " and shall be released at once"),))
    problems, provisions, _ = check(altered, index)
    assert problems and "is not its text" in problems[0] and not provisions
    moved = replace(case, provisions=(replace(case.provisions[0], locator="Article 999"),))
    assert "has no passage at Article 999" in check(moved, index)[0][0]


@pytest.mark.parametrize("lang", LANGS)
def test_the_handout_has_no_internal_ids_and_every_quote_printed(index, lang, tmp_path):
    cases = case_set(index, lang)
    handout = cases_handout(cases, answers=True, date="2026-12-03")
    pdf, md = write_handout(handout, tmp_path / f"cases-{lang}", None)
    assert assert_pages_not_blank(pdf, tmp_path) >= 5
    assert_no_stranded_headings(pdf, handout)
    printed = pdf_text(pdf, handout)
    markdown = render_markdown(handout)
    for text in (printed, markdown):
        assert not PASSAGE_ID.search(text) and not HEX_ID.search(text), (PASSAGE_ID.search(text), HEX_ID.search(text))
    names = cases.names
    for provisions, elements in cases.sources.values():
        for found in provisions:
            assert norm(found.cited.quote)[:60] in printed
        # Each provision named as the answers name it for the cases' reader, in the PDF and the Markdown.
        for found in provisions + elements:
            assert names.name(found.document) in markdown
            assert norm(names.label(found.passage)) in printed and names.label(found.passage) in markdown
    if lang == "fr":
        assert "Corrigé" in printed and "contraignant pour les États parties" in printed and "Pourquoi pas" in printed
        assert "Objectif 13, paragraphe 29" in printed and "article premier, section A" in printed
        assert not ENGLISH_LABELS.search(french_prose(markdown)), ENGLISH_LABELS.search(french_prose(markdown))
        assert "(texte officiel en anglais ; aucune version française dans le corpus)" in printed
        assert "Protocole relatif au trafic illicite de migrants (A/RES/55/25, annex III), article 5" in printed
        assert "Smuggling Protocol" not in markdown and "Pacte mondial (A/RES/73/195)" in markdown
    else:
        assert "Objective 13 › para 29" in printed and "operative para 5 (a)–(b)" in printed and not re.search(r"\bop\. \d", markdown)
    # Without the key, nothing gives the answers away.
    plain = render_markdown(cases_handout(cases, answers=False, date="2026-12-03"))
    assert "Corrigé" not in plain and "Answer key" not in plain and all(c.answer.explanation not in plain for c in cases.cases)
    data = cases_json(cases)
    assert data["count"] == 10 and all(item["provisions"][0]["quote"] for item in data["cases"])
    # The JSON keeps the locator and title other tools match on, and adds what the reader sees.
    for item in data["cases"]:
        for cited in item["provisions"] + item["elements"]:
            assert cited["locator"] and cited["label"] and cited["document_name"]
    json.dumps(data)
