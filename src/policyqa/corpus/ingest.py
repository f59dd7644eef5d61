"""Ingestion: catalogue entries in, citable passages out, one document's failure never
stopping the others."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from policyqa.corpus import catalog, clean, load
from policyqa.corpus import passages as passages_mod
from policyqa.corpus.formats import un
from policyqa.corpus.formats.registry import parse
from policyqa.types import Document, IngestedDocument, Passage, Problem


def _language_warnings(doc: Document, items: list[Passage]) -> list[str]:
    odd = [p.locator for p in items if (g := clean.guess_language(p.text)) and g != doc.lang and len(p.text.split()) > 25]
    if not odd:
        return []
    return [f"{len(odd)} passage(s) do not read as '{doc.lang}': {', '.join(odd[:3])}{'…' if len(odd) > 3 else ''}"]


def ingest_document(
    doc: Document, roots: tuple[Path, ...], check_hash: bool = True, runs: dict[str, tuple[str, ...]] | None = None
) -> IngestedDocument:
    """`runs`: where the English version cut its sections (passages.runs_of), to cut alike."""
    path = catalog.locate(doc, roots)
    if path is None:
        where = ", ".join(str(r) for r in roots) or "no corpus root"
        hint = f"; `policyqa corpus fetch --doc {doc.id}` downloads it" if doc.download_url else ""
        return IngestedDocument(doc, False, problems=(Problem(doc.id, "missing", f"file '{doc.path}' not found in {where}{hint}"),))
    problems: list[Problem] = []
    if check_hash and doc.sha256:
        actual = catalog.sha256_of(path)
        if actual != doc.sha256:
            problems.append(
                Problem(
                    doc.id,
                    "warning",
                    f"sha256 differs from the catalogue ({actual[:12]}… ≠ {doc.sha256[:12]}…): the file is not the catalogued version",
                )
            )
    try:
        parsed = parse(doc, path)
    except load.LoadError as exc:
        return IngestedDocument(doc, True, problems=tuple(problems) + (Problem(doc.id, "error", f"{path.name}: {exc}"),))
    items = passages_mod.to_passages(doc, parsed.sections, runs=runs)
    if not items:
        problems.append(Problem(doc.id, "error", f"{path.name}: no text could be structured into passages"))
    problems += [Problem(doc.id, "warning", w) for w in parsed.warnings + _language_warnings(doc, items)]
    return IngestedDocument(doc, True, tuple(items), parsed.pages, tuple(problems))


def _cut_like_english(results: list[IngestedDocument], roots: tuple[Path, ...]) -> list[IngestedDocument]:
    """A UN text in another language is cut into passages where its English version is cut: a
    long paragraph is cut into runs of sub-items by word count, and French runs longer, so
    without this its runs would open at other items and find no counterpart. Other families keep
    their own cut (their versions are not paragraph-for-paragraph translations of one layout)."""
    english = {
        r.document.parallel_group: passages_mod.runs_of(list(r.passages))
        for r in results
        if r.document.lang == "en" and r.document.parallel_group and r.passages and un.accepts(r.document)
    }
    out = []
    for r in results:
        runs = english.get(r.document.parallel_group) if r.document.lang != "en" and r.passages and un.accepts(r.document) else None
        own = passages_mod.runs_of(list(r.passages)) if runs else {}
        differs = runs and any(own.get(key) != cut for key, cut in runs.items() if key in own)
        out.append(ingest_document(r.document, roots, runs=runs) if differs else r)
    return out


@dataclass(frozen=True)
class IngestReport:
    documents: tuple[IngestedDocument, ...]
    seconds: float

    @property
    def passages(self) -> list[Passage]:
        return [p for d in self.documents for p in d.passages]


def ingest(docs: Iterable[Document], roots: tuple[Path, ...], progress: Callable[[Document], None] | None = None) -> IngestReport:
    started = time.perf_counter()
    results: list[IngestedDocument] = []
    for doc in docs:
        if progress:
            progress(doc)
        results.append(ingest_document(doc, roots))
    results = _cut_like_english(results, roots)
    paired = passages_mod.pair_parallel({r.document.id: list(r.passages) for r in results if r.passages})
    results = [replace(r, passages=tuple(paired.get(r.document.id, r.passages))) for r in results]
    return IngestReport(tuple(results), time.perf_counter() - started)
