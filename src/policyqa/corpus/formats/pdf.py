"""A user's own PDF: paragraphs located by page, with the UN documents' cleaning of page
furniture; numbered paragraphs are kept when the document has them."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from policyqa.corpus import clean, load
from policyqa.corpus.formats import un
from policyqa.corpus.formats.parsed import Parsed
from policyqa.types import Document


def accepts(doc: Document) -> bool:
    return doc.format == "pdf"


def parse(doc: Document, path: Path) -> Parsed:
    pages = list(load.read_pdf(path).pages)
    cleaned = un.clean_pages(pages, doc.symbol)
    vocab = clean.vocabulary("\n".join(cleaned.texts.values()))
    found = un.sections(cleaned, vocab, True, "generic")
    relabelled = [replace(s, locator=f"p. {s.page_start}, para {i}" if s.kind == "preamble" else s.locator) for i, s in enumerate(found, 1)]
    return Parsed(relabelled, len(pages), cleaned.warnings)
