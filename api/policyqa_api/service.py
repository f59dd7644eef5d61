"""What the service holds: settings, catalogue, embedder, retriever and conversation store.

The process answers at once (liveness), then loads the model and the index in a background
thread and runs one question in each language through the whole answer path, so everything
loaded lazily (language models, the unit search, the vocabulary, the first forward pass) is
paid before /v1/ready says ready: the first user's question costs what any other does.

A missing, mismatched or damaged index does not stop the service: it starts, reports "not
ready" with the reason, and answers 503 on the routes that need the index. A reload or a
rebuild prepares and warms the new index first; the previous one keeps answering until the
new one is complete, then both are swapped in one assignment, and a failed reload leaves it
in service.
"""

from __future__ import annotations

import logging
import threading
import time
import urllib.request
from dataclasses import dataclass, field

from policyqa import pipeline
from policyqa.answer.factory import make_answerer
from policyqa.answer.generative import LLMSettings
from policyqa.conversation.store import ConversationStore
from policyqa.corpus import catalog
from policyqa.index.embedder import Embedder
from policyqa.index.store import IndexProblem
from policyqa.index.weights import ModelMissingError
from policyqa.retrieve.retriever import Retriever
from policyqa.settings import Settings
from policyqa.types import Document


class NotReady(Exception):
    """The index or the model is not available; the message says what to run."""


class Busy(Exception):
    """A rebuild is already running."""


LOG = logging.getLogger("policyqa.service")
LLM_NOT_INSTALLED = (
    "the generative mode is not installed on this server: run `make llm` (scripts/setup --llm), "
    "then start a model with `policyqa llm serve`"
)
# One question per language through the whole answer path: embedding, language detection,
# BM25, the unit search and the vocabulary of named texts are all built on first use.
WARM_UP = ("Quels droits pour les enfants migrants ?", "What rights do migrant children have?")


@dataclass
class Service:
    settings: Settings
    documents: dict[str, Document]
    store: ConversationStore
    embedder: Embedder | None = None
    retriever: Retriever | None = None
    problem: str = ""
    ready: bool = False  # the model and the index are loaded, and a question has run through them
    building: bool = False
    last_build: str = ""
    llm_settings: LLMSettings = field(default_factory=LLMSettings.from_env)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _reload_lock: threading.Lock = field(default_factory=threading.Lock)
    _llm_lock: threading.Lock = field(default_factory=threading.Lock)
    _chat_model: object | None = None
    _llm_checked: tuple[float, str, str] = (0.0, "", "")  # when, reason code, detail

    @classmethod
    def start(cls, settings: Settings, embedder: Embedder | None = None, store: ConversationStore | None = None) -> Service:
        """The service, answering at once; the model and the index load in the background."""
        docs = {d.id: d for d in catalog.load_catalog(settings.catalogs)}
        # Everything comes from the settings it was started with: nothing is read from the
        # environment again while it serves (a changed variable needs a restart).
        llm = LLMSettings(base_url=settings.llm_base_url, model=settings.llm_model, api_key=settings.llm_api_key)
        service = cls(settings, docs, store or ConversationStore(settings.db), problem="loading the model and the index", llm_settings=llm)
        threading.Thread(target=service._load, args=(embedder,), name="policyqa-load", daemon=True).start()
        return service

    def _load(self, embedder: Embedder | None) -> None:
        try:
            self.embedder = embedder or pipeline.make_embedder(self.settings)
            self.reload()
        except (ModelMissingError, ValueError, IndexProblem) as exc:
            self.problem = str(exc)
        except Exception as exc:  # whatever else fails, /v1/ready must say it, not "loading" forever
            LOG.exception("the service could not load the model or the index")
            self.problem = f"the service could not load the model or the index: {type(exc).__name__}: {exc}"

    def reload(self) -> None:
        """Open the current index again (after `policyqa index build` or a rebuild), warm it,
        and only then put it in service. Raises IndexProblem; the index in service stays.
        One reload at a time, so the last to finish is the build `current` points to now."""
        if self.embedder is None:
            raise IndexProblem(self.problem or "the embedding model is not loaded")
        with self._reload_lock:
            try:
                documents = {d.id: d for d in catalog.load_catalog(self.settings.catalogs)}
                retriever = pipeline.retriever(self.settings, self.embedder)
                warm(retriever)
            except IndexProblem as exc:
                self.problem = str(exc)
                raise
            except Exception as exc:  # a catalogue, model or warm-up failure: reported, never a 500
                self.problem = f"the index could not be served: {type(exc).__name__}: {exc}"
                raise IndexProblem(self.problem) from exc
            self.documents, self.retriever, self.problem, self.ready = documents, retriever, "", True

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
            try:
                self.reload()
            except IndexProblem as exc:
                self.last_build = f"built {folder.name}, but it could not be served: {exc}"
                return
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
            from policyqa.answer.generative import chat_model

            try:
                self._chat_model = chat_model(self.llm_settings)
            except ImportError as exc:
                raise NotReady(LLM_NOT_INSTALLED) from exc
        return self._chat_model

    def llm_status(self, every_s: float = 15.0) -> tuple[str, str]:
        """('', '') when the generative mode can answer now, else a reason code
        ('not_installed', 'not_running') and what to do. The model server is asked at most
        every `every_s` seconds, by one request while the others read the last answer, so the
        chat page can ask on every load."""
        checked, reason, detail = self._llm_checked
        if time.monotonic() - checked < every_s or not self._llm_lock.acquire(blocking=False):
            return reason, detail
        try:
            try:
                import langchain_openai  # noqa: F401
            except ImportError:
                reason, detail = "not_installed", LLM_NOT_INSTALLED
            else:
                try:
                    with urllib.request.urlopen(f"{self.llm_settings.base_url.rstrip('/')}/models", timeout=1.5):
                        reason, detail = "", ""
                except Exception as exc:  # refused, timed out, or not HTTP at all: no model answers
                    reason = "not_running"
                    detail = f"no model answers at {self.llm_settings.base_url} ({exc}): start one with `policyqa llm serve`"
            self._llm_checked = (time.monotonic(), reason, detail)
        finally:
            self._llm_lock.release()
        return reason, detail


def warm(retriever: Retriever) -> None:
    answerer = make_answerer("extractive", retriever)
    for question in WARM_UP:
        answerer.answer(question)
