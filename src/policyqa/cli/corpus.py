"""`policyqa corpus …`: the catalogue of documents and their passages."""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table

from policyqa.cli.common import Collection, documents, err, fail, ingest_with_progress, load_settings, out
from policyqa.corpus import catalog, fetch, ingest
from policyqa.serialise import passage_json
from policyqa.types import Document, IngestedDocument

corpus_app = typer.Typer(help="The catalogue of documents and their passages.", no_args_is_help=True)


def _status_row(d: IngestedDocument) -> dict:
    state = "error" if any(p.severity == "error" for p in d.problems) else ("ok" if d.available else "missing")
    return {
        "id": d.document.id,
        "title": d.document.title,
        "short_title": d.document.short_title,
        "lang": d.document.lang,
        "family": d.document.family,
        "collection": d.document.collection,
        "available": d.available,
        "state": state,
        "pages": d.pages,
        "passages": len(d.passages),
        "problems": [{"severity": p.severity, "message": p.message} for p in d.problems],
    }


@corpus_app.command()
def status(collection: Collection = "default", as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Every catalogued document: available, language, pages, passages, warnings."""
    settings = load_settings()
    report = ingest_with_progress(settings, documents(settings, collection))
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
        table.add_row(
            r["id"], r["lang"], r["family"], f"[{colours[r['state']]}]{r['state']}[/]", str(r["pages"] or ""), str(r["passages"]), notes
        )
    out.print(table)
    ok = sum(r["state"] == "ok" for r in rows)
    out.print(
        f"{ok} of {len(rows)} documents ingested, {len(report.passages)} passages in {report.seconds:.1f} s; "
        f"roots: {', '.join(str(r) for r in settings.corpus_roots)}"
    )


@corpus_app.command()
def passages(
    collection: Collection = "default",
    doc: Annotated[Optional[list[str]], typer.Option(help="only this document id (repeatable)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="one JSON object per line")] = False,
) -> None:
    """Every passage: id, doc_id, lang, locator, pages, text (one JSON object per line with --json)."""
    settings = load_settings()
    report = ingest_with_progress(settings, documents(settings, collection, doc))
    for p in report.passages:
        if as_json:
            print(json.dumps(passage_json(p), ensure_ascii=False))
        else:
            out.print(f"[bold]{p.doc_id}[/] {p.locator} (p. {p.pages or '-'}) [dim]{p.id}[/]\n{p.text}\n")
    errors = [pr for d in report.documents for pr in d.problems if pr.severity == "error"]
    for pr in errors:
        err.print(f"[yellow]skipped {pr.doc_id}:[/] {pr.message}")


def locator_chosen(query: str, locator: str) -> bool:
    """'para 27' matches 'Objective 11 › para 27 (a)–(c)' but not 'para 270'."""
    q = " ".join(query.lower().split())
    return re.search(rf"(?<![\w]){re.escape(q)}(?![\w])", locator.lower()) is not None


@corpus_app.command()
def show(doc_id: str, locator: str, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """The passages of one document at a locator, e.g. `show gcm-en "para 27"`."""
    settings = load_settings()
    report = ingest_with_progress(settings, documents(settings, "all", [doc_id]))
    found = [p for p in report.passages if locator_chosen(locator, p.locator)]
    if not found:
        known = sorted({p.locator.split(" ›")[0] for p in report.passages})[:8]
        fail(f"no passage of '{doc_id}' at '{locator}'" + (f"; locators look like: {', '.join(known)}" if known else ""), 1)
    for p in found:
        if as_json:
            print(json.dumps(passage_json(p), ensure_ascii=False))
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
    settings = load_settings()
    if not file.is_file():
        fail(f"no such file: {file}")
    ident = doc_id or re.sub(r"[^a-z0-9._-]+", "-", file.stem.lower()).strip("-")
    target_rel = Path("user") / file.name
    document = Document(
        id=ident,
        title=title,
        short_title=short_title or title,
        lang=lang,
        family=family,
        path=str(target_rel),
        symbol=symbol,
        source_url=source_url,
        sha256=catalog.sha256_of(file),
    )
    try:
        existing = {d.id for d in catalog.load_catalog(settings.catalogs)}
        if ident in existing:
            fail(f"a document with id '{ident}' is already catalogued; pass --id")
        target = settings.local_dir / target_rel
        target.parent.mkdir(parents=True, exist_ok=True)
        catalog.add_to_catalog(settings.local_catalog, document)
    except catalog.CatalogError as exc:
        fail(str(exc))
        raise
    if file.resolve() != target.resolve():
        shutil.copy2(file, target)
    result = ingest.ingest_document(catalog.load_catalog(settings.catalogs)[-1], settings.corpus_roots)
    for p in result.problems:
        err.print(f"[yellow]{p.severity}:[/] {p.message}")
    out.print(f"added '{ident}' ({len(result.passages)} passages) to {settings.local_catalog}")


@corpus_app.command("fetch")
def fetch_files(
    lang: Annotated[Optional[str], typer.Option(help="only documents in this language (en or fr)")] = None,
    doc: Annotated[Optional[list[str]], typer.Option(help="only this document id (repeatable)")] = None,
    source: Annotated[Optional[Path], typer.Option("--from", help="copy the files from this folder instead of downloading them")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="a JSON list of per-document results")] = False,
) -> None:
    """Download catalogued files missing here into corpus/local/, verified (PDF, sha256) and resumable."""
    settings = load_settings()
    if lang is not None and lang not in catalog.LANGS:
        fail(f"--lang must be one of {', '.join(catalog.LANGS)}, not '{lang}'")
    if source is not None and not source.is_dir():
        fail(f"--from: no such folder: {source}")
    chosen = fetch.wanted(documents(settings, "all", doc), lang, doc, source)
    if not chosen and not as_json:
        where = f"no catalogued file in {source}" if source is not None else "no document with a download address"
        print(f"nothing to fetch: {where}" + (f" in '{lang}'" if lang else ""))
    results = fetch.fetch(chosen, settings.local_dir, settings.corpus_roots, source)
    if as_json:
        print(json.dumps([asdict(r) for r in results], ensure_ascii=False, indent=1))
    else:
        for r in results:
            # One plain line per document, never wrapped, so that it can be read in a log or grepped.
            size = f" ({r.bytes:,} bytes, sha256 {r.sha256[:12]}…)" if r.sha256 else ""
            print(f"{r.state} {r.id}: {r.path}{size}" + (f": {r.message}" if r.state == "failed" else f", {r.message}"))
        counts = {s: sum(r.state == s for r in results) for s in fetch.STATES}
        print(f"{counts['fetched']} fetched, {counts['present']} already here, {counts['failed']} failed")
    if any(r.state == "failed" for r in results):
        raise typer.Exit(1)
