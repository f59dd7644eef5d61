"""What the service holds: settings, catalogue, embedder, retriever and conversation store,
loaded once at start.

A missing or mismatched index does not stop the service: it starts, reports "not ready"
with the reason, and answers 503 on the routes that need the index. A rebuild runs in a
background thread; the previous index keeps answering until the new one is complete,
then both are swapped in one assignment.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from policyqa import catalog, pipeline
from policyqa.conversations import ConversationStore
from policyqa.embed import Embedder
from policyqa.index import IndexProblem
from policyqa.llm import LLMSettings
from policyqa.models import ModelMissingError
from policyqa.retrieve import Retriever
from policyqa.settings import Settings
from policyqa.types import Document


class NotReady(Exception):
    """The index or the model is not available; the message says what to run."""


class Busy(Exception):
    """A rebuild is already running."""


@dataclass
class Service:
    settings: Settings
    documents: dict[str, Document]
    store: ConversationStore
    embedder: Embedder | None = None
    retriever: Retriever | None = None
    problem: str = ""
    building: bool = False
    last_build: str = ""
    llm_settings: LLMSettings = field(default_factory=LLMSettings.from_env)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _chat_model: object | None = None

    @classmethod
    def start(cls, settings: Settings, embedder: Embedder | None = None,
              store: ConversationStore | None = None) -> "Service":
        docs = {d.id: d for d in catalog.load_catalog(settings.catalogs)}
        service = cls(settings, docs, store or ConversationStore())
        try:
            service.embedder = embedder or pipeline.make_embedder(settings)
        except (ModelMissingError, ValueError) as exc:
            service.problem = str(exc)
            return service
        service.reload()
        return service

    def reload(self) -> bool:
        """Open the current index again (after `policyqa index build` or a rebuild)."""
        if self.embedder is None:
            return False
        try:
            retriever = pipeline.retriever(self.settings, self.embedder)
        except IndexProblem as exc:
            self.problem = str(exc)
            return False
        self.retriever, self.problem = retriever, ""
        self.documents = {d.id: d for d in catalog.load_catalog(self.settings.catalogs)}
        return True

    def rebuild_in_background(self) -> None:
        if self.embedder is None:
            raise NotReady(self.problem or "the embedding model is not loaded")
        with self._lock:
            if self.building:
                raise Busy("an index build is already running")
            self.building = True
        threading.Thread(target=self._rebuild, name="policyqa-rebuild", daemon=True).start()

    def _rebuild(self) -> None:
        try:
            folder, report = pipeline.build(self.settings, self.embedder)
            self.reload()
            problems = sum(1 for d in report.documents for pr in d.problems if pr.severity == "error")
            self.last_build = f"built {folder.name}: {len(report.passages)} passages, {problems} document(s) skipped"
        except Exception as exc:  # reported on /v1/index; the previous index keeps serving
            self.last_build = f"build failed: {exc}"
        finally:
            self.building = False

    def ready_retriever(self) -> Retriever:
        if self.retriever is None:
            if self.building:
                raise NotReady("the index is being built; try again in a few minutes")
            raise NotReady(self.problem or "the index is not loaded")
        return self.retriever

    def chat_model(self):
        """The LangChain chat model of the generative mode, made on first use."""
        if self._chat_model is None:
            from policyqa.llm import chat_model

            try:
                self._chat_model = chat_model(self.llm_settings)
            except ImportError as exc:
                raise NotReady("the generative mode is not installed (pip install 'policyqa[llm]')") from exc
        return self._chat_model
