"""Which format reads a catalogued document. Each format module says which documents it
`accepts` and how to `parse` one; adding a format is one module and one entry here. The first
format that accepts a document reads it, so the specific come before the general."""

from __future__ import annotations

from pathlib import Path

from policyqa.corpus.formats import pdf, prose, treaty, un, xml
from policyqa.corpus.formats.parsed import Parsed
from policyqa.types import Document

FORMATS = (un, treaty, xml, pdf, prose)


def parse(doc: Document, path: Path) -> Parsed:
    """Raises corpus.load.LoadError for a file its format cannot read."""
    for fmt in FORMATS:
        if fmt.accepts(doc):
            return fmt.parse(doc, path)
    raise ValueError(f"no format reads '{doc.id}' ({doc.format}, family {doc.family})")
