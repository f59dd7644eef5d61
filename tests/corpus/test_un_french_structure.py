"""The tools that act on a provision's structure (ranking, roles, quizzes, comparison) read a
French UN text's passages as they read the English ones: « par. 5 a)–b) » is "op. 5 (a)–(b)",
« Objectif 13 › par. 29 » is "Objective 13 › para 29". The French A/RES/80/218 is made in the
official layout by the tests (un_fr_factory) and ingested beside the real English one."""

from __future__ import annotations

import re
from dataclasses import replace
from types import SimpleNamespace

import pytest
from conftest import REPO, require_shared_corpus
from un_fr_factory import write_resolution
from un_fr_texts import a_res_80_218_fr, gcm_fr, item_labels

from policyqa.answer.features import FEATURES, candidate_features
from policyqa.answer.locators import label_of
from policyqa.compare.align import align
from policyqa.compare.provisions import provisions_of
from policyqa.corpus import catalog, ingest
from policyqa.corpus.roles import role
from policyqa.retrieve import mentions
from policyqa.training import quiz
from policyqa.training.material import Material
from policyqa.training.topics import TopicQueries
from policyqa.types import Hit, Passage

CATALOGUE = {d.id: d for d in catalog.load_catalog([REPO / "corpus" / "catalog.toml"])}
DOCS = ("a-res-80-218-en", "a-res-80-218-fr", "gcm-en", "gcm-fr")


@pytest.fixture(scope="module")
def passages(tmp_path_factory) -> dict[str, list[Passage]]:
    shared = require_shared_corpus()
    local = tmp_path_factory.mktemp("local")
    english = ingest.ingest([CATALOGUE["a-res-80-218-en"], CATALOGUE["gcm-en"]], (shared,))
    write_resolution(local / CATALOGUE["a-res-80-218-fr"].path, a_res_80_218_fr(item_labels(english.documents[0].passages)))
    write_resolution(local / CATALOGUE["gcm-fr"].path, gcm_fr(item_labels(english.documents[1].passages)))
    report = ingest.ingest([CATALOGUE[i] for i in DOCS], (local, shared))
    return {d.document.id: list(d.passages) for d in report.documents}


def _at(passages: list[Passage], key: str, index: int = 0) -> Passage:
    return [p for p in passages if p.section_key == key][index]


def _row(p: Passage, question: str, asker: str = "fr") -> dict[str, float]:
    named = mentions.find(question, {d: CATALOGUE[d] for d in DOCS})
    hit = Hit(p, rank=1, fused=0.5, dense=0.5, sparse=1.0)
    return dict(zip(FEATURES, candidate_features([hit], question, asker, named, True)[0]))


def test_a_french_question_naming_a_paragraph_finds_the_french_paragraph(passages):
    fr = passages["a-res-80-218-fr"]
    named = mentions.find("Que demande le paragraphe 5 de la résolution 80/218 ?", {d: CATALOGUE[d] for d in DOCS})
    assert named.paragraphs == {5}
    op5 = [p for p in fr if p.section_key == "op-5"]
    assert op5[0].locator == "par. 5 a)–b)"
    assert all(mentions.locator_matches(p, named) for p in op5)
    assert not mentions.locator_matches(_at(fr, "op-12"), named)  # « par. 12 »
    assert not mentions.locator_matches(_at(fr, "op-15"), named)  # not « par. 1… » as a prefix
    # As "op. 5" is for the English question.
    english = mentions.find("What does paragraph 5 of resolution 80/218 ask?", {d: CATALOGUE[d] for d in DOCS})
    assert mentions.locator_matches(_at(passages["a-res-80-218-en"], "op-5"), english)


def test_a_french_question_naming_an_objective_finds_its_french_paragraphs(passages):
    gcm = passages["gcm-fr"]
    named = mentions.find("Que prévoit l’objectif 13 du Pacte mondial sur la rétention ?", {d: CATALOGUE[d] for d in DOCS})
    assert named.objectives == {13}
    assert _at(gcm, "para-29").locator == "Objectif 13 › par. 29"
    assert mentions.locator_matches(_at(gcm, "para-29"), named)
    assert not mentions.locator_matches(_at(gcm, "para-28"), named)  # « par. 28 », before the objective's heading
    assert not mentions.locator_matches(_at(gcm, "para-29"), replace(named, objectives=frozenset({1})))


def test_the_located_feature_and_the_opening_of_a_french_paragraph(passages):
    fr, en = passages["a-res-80-218-fr"], passages["a-res-80-218-en"]
    question = "Que demande le paragraphe 5 de la résolution 80/218 ?"
    run = _row(_at(fr, "op-5"), question)
    assert run["located"] == 1.0 and run["chapeau"] == 0.0  # « par. 5 a)–b) » is a run of sub-items
    whole = _row(_at(fr, "op-12"), "Que dit le paragraphe 12 de la résolution 80/218 ?")
    assert whole["located"] == 1.0 and whole["chapeau"] == 1.0
    english = _row(_at(en, "op-5"), "What does paragraph 5 of resolution 80/218 ask?", "en")
    assert (english["located"], english["chapeau"]) == (run["located"], run["chapeau"])
    objective = _row(_at(passages["gcm-fr"], "para-29"), "Que prévoit l’objectif 13 du Pacte mondial ?")
    assert objective["located"] == 1.0


def _fr(key: str, locator: str, text: str) -> Passage:
    return Passage(f"fr-{key}", "a-res-80-218-fr", "fr", locator, text, section_key=key)


def test_french_procedural_paragraphs(passages):
    fr = passages["a-res-80-218-fr"]
    assert _at(fr, "op-32").text.startswith("Prie le Secrétaire général de lui présenter")
    assert role(_at(fr, "op-32")) == "procedural"
    assert role(_at(fr, "op-33")) == "procedural"  # « Décide de rester saisie de la question. »
    assert role(_at(fr, "op-1")) == "operative" and role(_at(fr, "op-5")) == "operative"
    assert role(_at(fr, "pp-3")) == "preambular"
    for text in (
        "Décide d’inscrire à son ordre du jour provisoire de sa quatre-vingt-deuxième session la question intitulée « Mondialisation » ;",
        "Décide de poursuivre l’examen de la question à sa quatre-vingt-deuxième session ;",
        "Prie également le Secrétaire général de lui présenter un rapport ;",
        "Prend note du rapport du Secrétaire général ;",
    ):
        assert role(_fr("op-30", "par. 30", text)) == "procedural", text
    # "Urges" is no request for a report; nor is a paragraph of the text a resolution adopts.
    assert role(_fr("op-7", "par. 7", "Prie instamment tous les États de mettre fin à la détention des enfants ;")) == "operative"
    gcm = Passage("g", "gcm-fr", "fr", "résolution, par. 1", "Prie le Secrétaire général de …", section_key="res/op-1")
    assert role(gcm) == "operative"
    assert role(Passage("g", "gcm-fr", "fr", "résolution, préambule, alinéa 1", "Rappelant …", section_key="res/pp-1")) == "preambular"


# The French GCM made by the tests has one objective heading; a quiz's objective question needs
# four titles to choose from, so four more objectives are written here in the French layout.
_OBJECTIVES = {
    1: (17, "Collecter et utiliser des données exactes et ventilées", "renforcer la base de connaissances mondiales sur les migrations"),
    2: (18, "Lutter contre les facteurs négatifs qui poussent des personnes à quitter leur pays", "créer des conditions favorables"),
    3: (19, "Fournir dans les meilleurs délais des informations exactes à toutes les étapes de la migration", "renforcer l’information"),
    4: (20, "Munir tous les migrants d’une preuve d’identité légale et de papiers adéquats", "garantir le droit à l’identité légale"),
}


def _gcm_objectives() -> list[Passage]:
    made = []
    for n, (para, title, aim) in _OBJECTIVES.items():
        lead = f"Nous nous engageons à {aim}. À cette fin, nous puiserons dans les mesures suivantes :"
        for first, last in (("a", "b"), ("c", "d")):
            text = f"{lead}\n{first}) Mesure {first} de l’objectif {n} ;\n{last}) Mesure {last} de l’objectif {n} ;"
            made.append(
                Passage(
                    f"gcm-fr-{para}-{first}",
                    "gcm-fr",
                    "fr",
                    f"Objectif {n} › par. {para} {first})–{last})",
                    text,
                    section_key=f"para-{para}",
                    context=f"Objectif {n} : {title}",
                )
            )
    return made


def test_a_french_quiz_asks_objective_and_operative_paragraph_questions(passages, monkeypatch):
    held = [*_gcm_objectives(), *passages["gcm-fr"], *passages["a-res-80-218-fr"]]
    documents = {d: CATALOGUE[d] for d in ("gcm-fr", "a-res-80-218-fr")}
    relevant = [_at(passages["gcm-fr"], "para-29"), _at(passages["a-res-80-218-fr"], "op-32")]
    topic = TopicQueries("rétention des migrants", "fr", None, ("rétention des migrants",), ("rétention",))
    material = Material(topic, True, 0.6, (), tuple(relevant), documents)
    monkeypatch.setattr(quiz, "gather", lambda *args, **kwargs: material)
    retriever = SimpleNamespace(index=SimpleNamespace(passages=held, documents=documents, catalogue=CATALOGUE))
    made = quiz.build_quiz(retriever, "rétention des migrants", "fr", count=4, seed=2)
    kinds = {item.kind: item for item in made.items}
    assert set(kinds) == {"gcm-objective", "operative-paragraph"}
    objective = kinds["gcm-objective"]
    assert objective.quote.startswith("Nous nous engageons à faire en sorte que toute forme de rétention")
    assert "À cette fin" not in objective.quote  # the first sentence (clipped as an English one is), not the paragraph
    assert objective.choices[objective.answer].startswith("Objectif 13 : Ne recourir au placement en rétention")
    assert len({c.split(" :")[0] for c in objective.choices}) == quiz.CHOICES
    operative = kinds["operative-paragraph"]
    assert operative.subject["paragraph"] == "32" and operative.subject["resolution"] == "A/RES/80/218"
    assert operative.choices[operative.answer].startswith("Prie le Secrétaire général de lui présenter")
    assert all(re.match(r"^[A-ZÉ]", c) for c in operative.choices)  # each an opening, never a sub-item's "a)"


def _amended(passages: list[Passage]) -> list[Passage]:
    """A later French version in which operative paragraph 5 b) is changed."""
    return [replace(p, text=p.text.replace("\nb) Engage les États", "\nb) Exhorte les États")) for p in passages]


def test_comparing_two_french_versions_rebuilds_whole_paragraphs(passages):
    old = provisions_of(passages["a-res-80-218-fr"])
    op5 = next(p for p in old if p.key == "op-5")
    assert len(op5.passage_ids) > 1  # cut into runs of sub-items, each repeating the lead-in
    assert op5.text.count("Réaffirme également que les États ont le devoir") == 1
    assert re.findall(r"^([a-z])\) ", op5.text, re.M) == list("abcdefghijk")
    assert op5.locator == "par. 5"
    assert label_of(op5.key, op5.locator, "fr", "fr") == "paragraphe 5 du dispositif"
    assert label_of(op5.key, op5.locator, "fr", "en") == "operative para 5"
    new = provisions_of(_amended(passages["a-res-80-218-fr"]))
    pairs = {(p.old.key if p.old else None): p for p in align(old, new)}
    assert pairs["op-5"].status == "amended" and pairs["op-5"].new.key == "op-5"
    assert all(pair.status == "unchanged" for key, pair in pairs.items() if key != "op-5")
    # The English version is rebuilt as it always was.
    english = next(p for p in provisions_of(passages["a-res-80-218-en"]) if p.key == "op-5")
    assert english.locator == "op. 5" and english.text.count("Also reaffirms the duty of States") == 1
