"""Answers framed for their reader, end to end over small hashing-embedder indexes: a French
question answered from an English text names the document and the provision in French, keeps
the English quote as the authority with a plain note, and gives the same labels to its
citations, to `ask --json`, to the API and to the generative mode's sources; the changes
between two versions are labelled likewise. Which passage is chosen does not change."""

from __future__ import annotations

import json
import re
import time
from types import SimpleNamespace

from conftest import REPO, require_shared_corpus
from relevance_fixtures import fixed_model

from policyqa.answer.changes import changes_answer
from policyqa.answer.extractive import ExtractiveAnswerer
from policyqa.answer.relevance import AnswerSettings
from policyqa.compare.versions import compare
from policyqa.corpus import catalog, ingest
from policyqa.index.embedder import HashingEmbedder
from policyqa.index.store import build_index, load_index
from policyqa.retrieve.retriever import Retriever
from policyqa.serialise import answer_json
from policyqa.types import Document, Passage

GCM = Document(id="gcm-en", title="Global Compact", short_title="GCM", lang="en", family="gcm", path="g.pdf", parallel_group="gcm")
# Catalogued, not held: its French name is what a French reader is given.
GCM_FR = Document(
    id="gcm-fr", title="Pacte mondial", short_title="Pacte mondial", lang="fr", family="gcm", path="g-fr.pdf", parallel_group="gcm"
)
RES = Document(
    id="a-res-78-217-en",
    title="Protection of migrants",
    short_title="A/RES/78/217",
    symbol="A/RES/78/217",
    lang="en",
    family="unga-resolution",
    path="r.pdf",
)
CHILDREN = (
    "(g) Protect and respect the rights and best interests of the child at all times, regardless of migration status;\n"
    "(h) Work to end the practice of child detention in the context of international migration."
)
PASSAGES = [
    Passage(
        id="g29",
        doc_id="gcm-en",
        lang="en",
        locator="Objective 13 › para 29 (g)–(h)",
        text=CHILDREN,
        page_start=22,
        page_end=22,
        section_key="para-29",
        context="Objective 13: Use migration detention only as a measure of last resort and work towards alternatives",
    ),
    Passage(
        id="r5",
        doc_id="a-res-78-217-en",
        lang="en",
        locator="op. 5 (a)–(b)",
        text="Calls upon all States to promote and protect effectively the human rights of all migrants, especially women and children.",
        page_start=4,
        page_end=4,
        section_key="op-5",
    ),
]


def _index(tmp_path, passages=PASSAGES, docs=(GCM, RES), catalogue=(GCM, GCM_FR, RES)):
    embedder = HashingEmbedder()
    build_index(
        list(passages),
        list(docs),
        embedder.embed_documents,
        embedder.name,
        embedder.fingerprint,
        embedder.dimension,
        tmp_path,
        catalogue=list(catalogue),
    )
    index = load_index(tmp_path, embedder.fingerprint, embedder.dimension)
    return Retriever(index, lambda q: embedder.embed_queries([q])[0])


def test_a_french_question_on_an_english_text_is_framed_in_french(tmp_path):
    answerer = ExtractiveAnswerer(_index(tmp_path), AnswerSettings(model=fixed_model(0.05), max_sources=1))
    fr = answerer.answer("Que dit le Pacte mondial sur la détention des enfants migrants ?", lang="fr")
    assert fr.answered and fr.citations[0].passage_id == "g29"
    lead, quote = fr.text.split("\n", 1)
    assert lead == "Selon le Pacte mondial, Objectif 13, paragraphe 29 g) et h), p. 22 :"
    # The English words stay the quote, untranslated, and the note says why.
    assert quote.startswith("« (g) Protect and respect") and "child detention" in quote
    assert quote.endswith("[1] (texte officiel en anglais ; aucune version française dans le corpus)")
    (cite,) = fr.citations
    assert (cite.label, cite.document_name) == ("Objectif 13, paragraphe 29 g) et h)", "Pacte mondial")
    assert (cite.locator, cite.title, cite.lang) == ("Objective 13 › para 29 (g)–(h)", "GCM", "en")  # the document's own, unchanged
    assert {c.label for c in fr.see_also} == {"paragraphe 5 a) et b) du dispositif"}
    assert {c.document_name for c in fr.see_also} == {"résolution A/RES/78/217"}
    # The same passage for the same question asked in English, labelled as it always was.
    en = answerer.answer("What does the Global Compact say about the detention of migrant children?", lang="en")
    assert en.citations[0].passage_id == "g29" and not en.text.split("\n")[1].endswith(")")
    assert en.text.startswith("According to GCM, Objective 13 › para 29 (g)–(h), p. 22:")
    assert en.see_also[0].label == "operative para 5 (a)–(b)" and en.see_also[0].document_name == "A/RES/78/217"
    data = answer_json(fr)
    assert data["citations"][0]["label"] == "Objectif 13, paragraphe 29 g) et h)" and data["citations"][0]["locator"] == cite.locator


def test_a_declined_question_lists_the_closest_passages_with_french_labels(tmp_path):
    answerer = ExtractiveAnswerer(_index(tmp_path), AnswerSettings(model=fixed_model(0.999)))
    declined = answerer.answer("Que dit le Pacte mondial sur la détention des enfants migrants ?", lang="fr")
    assert not declined.answered
    listed = declined.text.split("Passages les plus proches :\n", 1)[1].splitlines()
    assert set(listed) == {
        "- Pacte mondial, Objectif 13, paragraphe 29 g) et h)",
        "- résolution A/RES/78/217, paragraphe 5 a) et b) du dispositif",
    }


class _StubChat:
    """A chat model that answers a fixed text and keeps the messages it was sent."""

    def __init__(self, text: str) -> None:
        self.text, self.sent = text, []

    def stream(self, messages):
        self.sent.append(messages)
        yield SimpleNamespace(content=self.text)


def test_the_generative_mode_labels_its_sources_in_the_askers_language(tmp_path):
    from policyqa.answer.generative import LLMAnswerer, LLMSettings

    model = _StubChat("Le Pacte mondial demande de mettre fin à la détention des enfants [1].")
    answerer = LLMAnswerer(_index(tmp_path), model, LLMSettings(sources=2), AnswerSettings(model=fixed_model(0.05)))
    answer = answerer.answer("Que dit le Pacte mondial sur la détention des enfants migrants ?", lang="fr")
    prompt = model.sent[0][1][1]
    assert "[1] Pacte mondial, Objectif 13, paragraphe 29 g) et h), p. 22: (g) Protect" in prompt
    assert "Objective 13 ›" not in prompt
    assert answer.answered and answer.citations[0].label == "Objectif 13, paragraphe 29 g) et h)"


def test_ask_json_gives_each_citation_its_label(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from policyqa.cli.main import app

    _index(tmp_path / "index")
    monkeypatch.setenv("POLICYQA_INDEX_DIR", str(tmp_path / "index"))
    monkeypatch.setenv("POLICYQA_EMBEDDER", "hashing")
    result = CliRunner().invoke(app, ["ask", CHILDREN, "--lang", "fr", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    shown = data["citations"] + data["see_also"]
    assert shown and all({"label", "document_name", "locator", "title"} <= set(c) for c in shown)
    labels = {c["passage_id"]: (c["label"], c["document_name"]) for c in shown}
    assert labels["g29"] == ("Objectif 13, paragraphe 29 g) et h)", "Pacte mondial")


def test_the_api_gives_citation_labels_and_family_names(tmp_path, monkeypatch):
    from fastapi.testclient import TestClient

    from policyqa.conversation.store import ConversationStore
    from policyqa.settings import Settings
    from policyqa_api.app import create_app

    _index(tmp_path / "index")
    monkeypatch.setenv("POLICYQA_INDEX_DIR", str(tmp_path / "index"))
    app = create_app(Settings.from_env(), HashingEmbedder(), ConversationStore(tmp_path / "db.sqlite3"))
    with TestClient(app) as client:
        deadline = time.time() + 60
        while client.get("/v1/ready").status_code != 200 and time.time() < deadline:
            time.sleep(0.1)
        docs = {d["id"]: d for d in client.get("/v1/documents").json()}
        assert docs["a-res-78-217-en"]["family_label"] == {
            "en": "UN General Assembly resolutions",
            "fr": "Résolutions de l’Assemblée générale des Nations unies",
        }
        assert docs["gcm-en"]["family_label"]["fr"] == "Pacte mondial sur les migrations"
        r = client.post("/v1/ask", json={"question": CHILDREN, "lang": "fr"})
        assert r.status_code == 200, r.text
        shown = r.json()["citations"] + r.json()["see_also"]
        labels = {c["passage_id"]: (c["label"], c["document_name"], c["locator"]) for c in shown}
        assert labels["g29"] == ("Objectif 13, paragraphe 29 g) et h)", "Pacte mondial", "Objective 13 › para 29 (g)–(h)")


def test_the_changes_between_two_versions_are_labelled_for_the_reader(tmp_path):
    root = require_shared_corpus()
    listed = catalog.load_catalog([REPO / "corpus" / "catalog.toml"])
    docs = catalog.select(listed, ids=["a-res-78-180-en", "a-res-80-185-en"])
    retriever = _index(tmp_path, ingest.ingest(docs, (root,)).passages, docs, listed)
    comparison = compare(retriever.index, "a-res-78-180-en", "a-res-80-185-en")
    fr = changes_answer("Qu'est-ce qui a changé ?", "fr", comparison, retriever.index, "extractive")
    en = changes_answer("What changed?", "en", comparison, retriever.index, "extractive")
    assert fr.text.startswith("Entre A/RES/78/180 (2023) et A/RES/80/185 (2025) :")
    assert "Ajouté en 2025, paragraphe 23 du dispositif" in fr.text and "Modifié, paragraphe " in fr.text
    assert " du dispositif (2023) → paragraphe " in fr.text
    assert "Added in 2025, operative para 23" in en.text and "op. " not in en.text
    assert fr.citations and all(c.label and c.document_name in {"résolution A/RES/80/185", "résolution A/RES/78/180"} for c in fr.citations)
    # Every English quote of the French answer carries its note.
    quotes = len(re.findall(r"\[\d+\]", fr.text))
    assert quotes and fr.text.count("] (texte officiel en anglais ; aucune version française dans le corpus)") == quotes
