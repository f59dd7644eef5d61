"""What a search may be limited to (documents, families, languages), and the one check that
every value names something served, for the CLI, the API and the training material alike."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from policyqa.types import Document


class QueryError(ValueError):
    """A query that cannot be searched; the message says what to change."""


@dataclass(frozen=True)
class Filters:
    doc_ids: tuple[str, ...] = ()
    families: tuple[str, ...] = ()
    langs: tuple[str, ...] = ()


class UnknownFilter(QueryError):
    """A filter value that names nothing served. `code` tells an unknown document or family
    from one the catalogue lists whose file is not indexed here."""

    def __init__(self, code: str, value: str, known: tuple[str, ...], path: str = "") -> None:
        self.code, self.value, self.known, self.path = code, value, known, path
        if code == "unknown_family":
            text = f"unknown famil(y/ies): {value}; known: {', '.join(known)}"
        elif code == "unindexed_document":
            text = f"document '{value}' is catalogued but not indexed here (its file {path} is missing)"
        else:
            text = f"unknown document(s): {value}; known: {', '.join(known)}"
        super().__init__(text)


def check(filters: Filters, indexed: Mapping[str, Document], catalogued: Mapping[str, Document] | None = None) -> None:
    """Raises UnknownFilter for the first document the index lacks or family nobody has.
    Families are those of the catalogue when it is given (a family whose documents are all
    absent is still a family), else those of the index."""
    for doc_id in filters.doc_ids:
        if doc_id in indexed:
            continue
        if catalogued is not None and doc_id in catalogued:
            raise UnknownFilter("unindexed_document", doc_id, (), catalogued[doc_id].path)
        raise UnknownFilter("unknown_document", doc_id, tuple(sorted(indexed)))
    families = {d.family for d in (catalogued if catalogued is not None else indexed).values()}
    for family in filters.families:
        if family not in families:
            raise UnknownFilter("unknown_family", family, tuple(sorted(families)))
