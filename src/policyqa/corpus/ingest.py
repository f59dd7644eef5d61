"""Ingestion: catalogue entries in, citable passages out, one document's failure never
stopping the others."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from policyqa.corpus import catalog
from policyqa.corpus import clean
from policyqa.corpus import load
from policyqa.corpus import passages as passages_mod
from policyqa.corpus.formats import prose as structure_prose
from policyqa.corpus.formats import treaty as structure_treaty
from policyqa.corpus.formats import un as structure_un
from policyqa.types import Document, IngestedDocument, Passage, Problem, Section

UN_FAMILIES = {"gcm", "unga-resolution"}


@dataclass(frozen=True)
class Parsed:
    sections: list[Section]
    pages: int
    warnings: list[str]


def _parse_un(doc: Document, path: Path) -> Parsed:
    if doc.format == "pdf":
        pages = list(load.read_pdf(path).pages)
        indent = True
    else:
        pages = structure_un.split_text_layer(load.read_text(path), doc.symbol)
        indent = False
    cleaned = structure_un.clean_pages(pages, doc.symbol)
    vocab = clean.vocabulary("\n".join(cleaned.texts.values()))
    family = "gcm" if doc.family == "gcm" else "unga-resolution"
    return Parsed(structure_un.sections(cleaned, vocab, indent, family), len(pages), cleaned.warnings)


def _parse_generic_pdf(doc: Document, path: Path) -> Parsed:
    """A user's own PDF: paragraphs located by page, numbered paragraphs kept if present."""
    pages = list(load.read_pdf(path).pages)
    cleaned = structure_un.clean_pages(pages, doc.symbol)
    vocab = clean.vocabulary("\n".join(cleaned.texts.values()))
    found = structure_un.sections(cleaned, vocab, True, "generic")
    relabelled = [
        replace(s, locator=f"p. {s.page_start}, para {i}" if s.kind == "preamble" else s.locator)
        for i, s in enumerate(found, 1)
    ]
    return Parsed(relabelled, len(pages), cleaned.warnings)


def _parse_markdown(doc: Document, path: Path) -> Parsed:
    raw = load.read_markdown(path)
    body = raw.pages[0].text
    if doc.family == "treaty":
        found, warnings = structure_treaty.sections(structure_treaty.clean_text(body), doc.lang)
        return Parsed(found, 1, warnings)
    return Parsed(structure_prose.declaration(structure_prose.clean_text(body, True), doc.lang), 1, [])


def _parse_text(doc: Document, path: Path) -> Parsed:
    text = structure_prose.clean_text(load.read_text(path), False)
    if doc.family == "udhr":
        return Parsed(structure_prose.udhr(text, doc.lang), 1, [])
    found, warnings = structure_prose.note(text, doc.lang)
    return Parsed(found, 1, warnings)


def _parse_xml(doc: Document, path: Path) -> Parsed:
    from policyqa.corpus.formats.xml import read_law_xml

    try:
        found, warnings = read_law_xml(path, doc.lang)
    except ValueError as exc:
        raise load.LoadError(str(exc)) from None
    return Parsed(found, 0, warnings)


def parse(doc: Document, path: Path) -> Parsed:
    if doc.family in UN_FAMILIES:
        return _parse_un(doc, path)
    return {"pdf": _parse_generic_pdf, "md": _parse_markdown, "txt": _parse_text, "xml": _parse_xml}[doc.format](doc, path)


def _language_warnings(doc: Document, items: list[Passage]) -> list[str]:
    odd = [p.locator for p in items if (g := clean.guess_language(p.text)) and g != doc.lang and len(p.text.split()) > 25]
    if not odd:
        return []
    return [f"{len(odd)} passage(s) do not read as '{doc.lang}': {', '.join(odd[:3])}{'…' if len(odd) > 3 else ''}"]


def ingest_document(doc: Document, roots: tuple[Path, ...], check_hash: bool = True) -> IngestedDocument:
    path = catalog.locate(doc, roots)
    if path is None:
        where = ", ".join(str(r) for r in roots) or "no corpus root"
        return IngestedDocument(doc, False, problems=(Problem(doc.id, "missing", f"file '{doc.path}' not found in {where}"),))
    problems: list[Problem] = []
    if check_hash and doc.sha256:
        actual = catalog.sha256_of(path)
        if actual != doc.sha256:
            problems.append(Problem(doc.id, "warning", f"sha256 differs from the catalogue ({actual[:12]}… ≠ {doc.sha256[:12]}…): the file is not the catalogued version"))
    try:
        parsed = parse(doc, path)
    except load.LoadError as exc:
        return IngestedDocument(doc, True, problems=tuple(problems) + (Problem(doc.id, "error", f"{path.name}: {exc}"),))
    items = passages_mod.to_passages(doc, parsed.sections)
    if not items:
        problems.append(Problem(doc.id, "error", f"{path.name}: no text could be structured into passages"))
    problems += [Problem(doc.id, "warning", w) for w in parsed.warnings + _language_warnings(doc, items)]
    return IngestedDocument(doc, True, tuple(items), parsed.pages, tuple(problems))


@dataclass(frozen=True)
class IngestReport:
    documents: tuple[IngestedDocument, ...]
    seconds: float

    @property
    def passages(self) -> list[Passage]:
        return [p for d in self.documents for p in d.passages]


def ingest(docs: Iterable[Document], roots: tuple[Path, ...],
           progress: Callable[[Document], None] | None = None) -> IngestReport:
    started = time.perf_counter()
    results: list[IngestedDocument] = []
    for doc in docs:
        if progress:
            progress(doc)
        results.append(ingest_document(doc, roots))
    paired = passages_mod.pair_parallel({r.document.id: list(r.passages) for r in results if r.passages})
    results = [replace(r, passages=tuple(paired.get(r.document.id, r.passages))) for r in results]
    return IngestReport(tuple(results), time.perf_counter() - started)
