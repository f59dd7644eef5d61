"""A small bilingual index built with the deterministic hashing embedder, shared by the index,
retrieval and service tests."""

from __future__ import annotations

from pathlib import Path

from policyqa.index.embedder import HashingEmbedder
from policyqa.index.store import build_index, load_index
from policyqa.retrieve.retriever import Retriever, Weights
from policyqa.types import Document, Passage

DOCS = [
    Document(id="udhr-en", title="Universal Declaration", lang="en", family="udhr", path="u-en.txt", parallel_group="udhr"),
    Document(id="udhr-fr", title="Déclaration universelle", lang="fr", family="udhr", path="u-fr.txt", parallel_group="udhr"),
    Document(id="gcm-en", title="Global Compact", lang="en", family="gcm", path="gcm.txt"),
]


def _p(pid: str, doc: str, lang: str, locator: str, text: str, key: str = "") -> Passage:
    return Passage(id=pid, doc_id=doc, lang=lang, locator=locator, text=text, parallel_key=key, section_key=locator)


PASSAGES = [
    _p(
        "e14",
        "udhr-en",
        "en",
        "Article 14",
        "Everyone has the right to seek and to enjoy in other countries asylum from persecution.",
        "udhr#art-14",
    ),
    _p(
        "f14",
        "udhr-fr",
        "fr",
        "Article 14",
        "Devant la persécution, toute personne a le droit de chercher asile et de bénéficier de l'asile en d'autres pays.",
        "udhr#art-14",
    ),
    _p(
        "e13",
        "udhr-en",
        "en",
        "Article 13",
        "Everyone has the right to freedom of movement and residence within the borders of each State.",
        "udhr#art-13",
    ),
    _p(
        "f13",
        "udhr-fr",
        "fr",
        "Article 13",
        "Toute personne a le droit de circuler librement et de choisir sa résidence à l'intérieur d'un Etat.",
        "udhr#art-13",
    ),
    _p(
        "g29",
        "gcm-en",
        "en",
        "Objective 13 › para 29",
        "We commit to ensure that any detention in the context of international migration follows due process "
        "and is a measure of last resort.",
    ),
    _p("g36", "gcm-en", "en", "Objective 20 › para 36", "We commit to promote faster, safer and cheaper remittances."),
]


def _build(root: Path, embedder=None, passages=PASSAGES) -> Path:
    embedder = embedder or HashingEmbedder()
    return build_index(list(passages), DOCS, embedder.embed_documents, embedder.name, embedder.fingerprint, embedder.dimension, root)


def _retriever(root: Path, weights: Weights = Weights()) -> Retriever:
    embedder = HashingEmbedder()
    index = load_index(root, embedder.fingerprint, embedder.dimension)
    return Retriever(index, lambda q: embedder.embed_queries([q])[0], weights)
