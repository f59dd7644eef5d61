"""What the service holds: settings, catalogue, embedder and retriever, loaded once at start.

A missing or mismatched index does not stop the service: it starts, reports "not ready"
with the reason, and answers 503 on the routes that need the index.
"""

from __future__ import annotations

from dataclasses import dataclass

from policyqa import catalog, pipeline
from policyqa.embed import Embedder
from policyqa.index import IndexProblem
from policyqa.models import ModelMissingError
from policyqa.retrieve import Retriever
from policyqa.settings import Settings
from policyqa.types import Document


class NotReady(Exception):
    """The index or the model is not available; the message says what to run."""


@dataclass
class Service:
    settings: Settings
    documents: dict[str, Document]
    embedder: Embedder | None = None
    retriever: Retriever | None = None
    problem: str = ""

    @classmethod
    def start(cls, settings: Settings, embedder: Embedder | None = None) -> "Service":
        docs = {d.id: d for d in catalog.load_catalog(settings.catalogs)}
        service = cls(settings, docs)
        try:
            service.embedder = embedder or pipeline.make_embedder(settings)
            service.retriever = pipeline.retriever(settings, service.embedder)
        except (IndexProblem, ModelMissingError, ValueError) as exc:
            service.problem = str(exc)
        return service

    def ready_retriever(self) -> Retriever:
        if self.retriever is None:
            raise NotReady(self.problem or "the index is not loaded")
        return self.retriever
