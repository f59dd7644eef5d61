"""What every command shares: the consoles, failing with a message, the settings, the
documents chosen and their ingestion with progress on stderr, and the configured embedder."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from policyqa import pipeline
from policyqa.corpus import catalog, ingest
from policyqa.index import weights
from policyqa.index.onnx_export import EncoderMissingError
from policyqa.settings import Settings, SettingsError
from policyqa.types import Document

err = Console(stderr=True)
out = Console()

Collection = Annotated[str, typer.Option(help="default, extended or all")]


def fail(message: str, code: int = 2) -> None:
    err.print(f"[bold red]error:[/] {message}")
    raise typer.Exit(code)


def load_settings() -> Settings:
    """The settings from the environment; a malformed variable ends the command with its name
    and exit code 2 (bad input), not a traceback."""
    try:
        return Settings.from_env()
    except SettingsError as exc:
        fail(str(exc))
        raise


def documents(settings: Settings, collection: str, ids: list[str] | None = None) -> list[Document]:
    try:
        docs = catalog.load_catalog(settings.catalogs)
        return catalog.select(docs, None if collection == "all" else collection, ids)
    except catalog.CatalogError as exc:
        fail(str(exc))
        raise


def progress_bar(transient: bool) -> Progress:
    """A progress bar on stderr, so that --json output on stdout stays machine-readable; off
    without a terminal (CI logs)."""
    columns = (TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"), TimeElapsedColumn())
    return Progress(*columns, console=err, transient=transient, disable=not err.is_terminal)


def ingest_with_progress(settings: Settings, docs: list[Document]) -> ingest.IngestReport:
    with progress_bar(transient=True) as bar:
        task = bar.add_task("ingesting", total=len(docs))

        def step(doc: Document) -> None:
            bar.update(task, description=f"ingesting {doc.id}", advance=1)

        return ingest.ingest(docs, settings.corpus_roots, progress=step)


def embedder(settings: Settings, name: str | None = None):
    try:
        return pipeline.make_embedder(settings, name)
    except (weights.ModelMissingError, EncoderMissingError, ValueError) as exc:
        fail(str(exc), 1)
        raise
