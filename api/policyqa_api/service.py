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

Every worker serves the build published in the database (index/publish.py): it checks the
published id every POLICYQA_INDEX_POLL_SECONDS and switches when it changes, so a reload
received by one worker, or a rebuild finished anywhere, reaches them all. A rebuild runs in a
process of its own (`policyqa index build`), never inside a serving worker: the model's
batches would stall the answers, and a crash would take the worker down.
"""

from __future__ import annotations

import logging
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from policyqa import pipeline
from policyqa.answer.factory import make_answerer
from policyqa.answer.generative import LLMSettings
from policyqa.conversation.store import ConversationStore
from policyqa.corpus import catalog
from policyqa.index.embedder import Embedder
from policyqa.index.publish import fetch, publish, published
from policyqa.index.staging import hold
from policyqa.index.store import IndexProblem, current_folder
from policyqa.index.weights import ModelMissingError
from policyqa.retrieve.retriever import Retriever
from policyqa.settings import Settings
from policyqa.storage.database import StorageUnavailable
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
    _refused: str = ""  # a published build that cannot be served here; not tried again
    _stopping: threading.Event = field(default_factory=threading.Event)
    # Held by a reload from its switch to its publish, and by each check of the published id,
    # so a check in between cannot switch this worker back to the build being replaced.
    _switch_lock: threading.RLock = field(default_factory=threading.RLock)

    @classmethod
    def start(cls, settings: Settings, embedder: Embedder | None = None, store: ConversationStore | None = None) -> Service:
        """The service, answering at once; the model and the index load in the background."""
        docs = {d.id: d for d in catalog.load_catalog(settings.catalogs)}
        # Everything comes from the settings it was started with: nothing is read from the
        # environment again while it serves (a changed variable needs a restart).
        llm = LLMSettings(base_url=settings.llm_base_url, model=settings.llm_model, api_key=settings.llm_api_key)
        store = store or ConversationStore(pipeline.database(settings))
        service = cls(settings, docs, store, problem="loading the model and the index", llm_settings=llm)
        threading.Thread(target=service._load, args=(embedder,), name="policyqa-load", daemon=True).start()
        return service

    def stop(self) -> None:
        self._stopping.set()
        self.store.database.close()

    def _load(self, embedder: Embedder | None) -> None:
        try:
            self.embedder = embedder or pipeline.make_embedder(self.settings)
            # The published build when there is one and it can be served here, else the one
            # this machine's index folder points to.
            if not self.follow_published():
                self._serve(current_folder(self.settings.index_dir))
        except (ModelMissingError, ValueError, IndexProblem) as exc:
            self.problem = str(exc)
        except Exception as exc:  # whatever else fails, /v1/ready must say it, not "loading" forever
            LOG.exception("the service could not load the model or the index")
            self.problem = f"the service could not load the model or the index: {type(exc).__name__}: {exc}"
        finally:
            if self.embedder is not None:
                threading.Thread(target=self._follow, name="policyqa-follow", daemon=True).start()

    @property
    def served_build(self) -> str:
        return self.retriever.index.manifest.build_id if self.retriever else ""

    def _follow(self) -> None:
        while not self._stopping.wait(self.settings.index_poll_seconds):
            try:
                self.follow_published()
            except Exception:  # whatever happens, the worker goes on serving and checking
                LOG.exception("checking the published index failed")

    def follow_published(self) -> bool:
        """Serve the published build if it is not the one served; whether one is published
        and served. A build that cannot be served here is reported and not tried again; a
        database that cannot be reached is tried again at the next check."""
        with self._switch_lock:
            return self._follow_published()

    def _follow_published(self) -> bool:
        try:
            current = published(self.store.database)
        except StorageUnavailable as exc:
            LOG.warning("%s: the index in service stays", exc)
            return False
        if current is None or current[0] == self._refused:
            return False
        if current[0] == self.served_build:
            return True
        try:
            self._serve(fetch(self.store.database, current[0], self.settings.index_dir))
        except IndexProblem as exc:
            self._refused = current[0]
            LOG.error("the published index %s cannot be served here: %s", current[0], exc)
            return False
        except StorageUnavailable as exc:
            LOG.warning("%s: fetching the published index %s again later", exc, current[0])
            return False
        self.last_build = self.last_build or current[1]
        return True

    def reload(self) -> None:
        """Publish the build this machine's index folder points to (after `policyqa index
        build`), so every worker switches to it, and serve it here at once. Raises
        IndexProblem, or StorageUnavailable when it cannot be published; the index in service stays."""
        if self.embedder is None:
            raise IndexProblem(self.problem or "the embedding model is not loaded")
        folder = current_folder(self.settings.index_dir)
        with self._switch_lock:
            self._serve(folder)
            publish(self.store.database, folder)

    def _serve(self, folder: Path) -> None:
        """Open a build, warm it, and only then put it in service. One at a time, so the last
        to finish is the one asked for last."""
        with self._reload_lock:
            try:
                documents = {d.id: d for d in catalog.load_catalog(self.settings.catalogs)}
                retriever = pipeline.retriever(self.settings, self.embedder, folder=folder)
                warm(retriever)
            except IndexProblem as exc:
                self.problem = str(exc)
                raise
            except Exception as exc:  # a catalogue, model or warm-up failure: reported, never a 500
                self.problem = f"the index could not be served: {type(exc).__name__}: {exc}"
                raise IndexProblem(self.problem) from exc
            self.documents, self.retriever, self.problem, self.ready = documents, retriever, "", True
            if self._refused == retriever.index.manifest.build_id:
                self._refused = ""

    @property
    def rebuild_lock(self) -> Path:
        return self.settings.index_dir / ".rebuild.lock"

    def rebuilding(self) -> bool:
        """Whether a rebuild started by any worker of this machine is running."""
        if self.building:
            return True
        if not self.rebuild_lock.exists():
            return False
        handle = hold(self.rebuild_lock)
        if handle is None:
            return True
        handle.close()
        return False

    def rebuild_in_background(self) -> None:
        """Start `policyqa index build` in a process of its own. It holds a lock for as long as
        it runs (inherited from here), so the machine's other workers see it and refuse a second."""
        if self.embedder is None:
            raise NotReady(self.problem or "the embedding model is not loaded")
        with self._lock:
            self.settings.index_dir.mkdir(parents=True, exist_ok=True)
            lock = hold(self.rebuild_lock)
            if lock is None:
                raise Busy("an index build is already running")
            try:
                log = self.settings.index_dir / "rebuild.log"
                with log.open("wb") as output:
                    child = subprocess.Popen(
                        [sys.executable, "-m", "policyqa.cli", "index", "build"],
                        env=self.settings.child_environment(),
                        stdout=output,
                        stderr=subprocess.STDOUT,
                        stdin=subprocess.DEVNULL,
                        pass_fds=(lock.fileno(),),
                    )
            finally:
                lock.close()  # the child's copy keeps the lock until it ends
            self.building = True
        threading.Thread(target=self._await_rebuild, args=(child, log), name="policyqa-rebuild", daemon=True).start()

    def _await_rebuild(self, child: subprocess.Popen, log: Path) -> None:
        try:
            if child.wait() != 0:
                lines = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()
                self.last_build = f"build failed (exit {child.returncode}): {lines[-1] if lines else 'no output'}"
                return
            # The build published itself: switch now rather than at the next check.
            current = published(self.store.database)
            if not self.follow_published() or current is None:
                self.last_build = f"built, but it could not be served: {self.problem or 'see the service log'}"
                return
            self.last_build = current[1]
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
