"""What every document format produces: the sections found, the page count, and warnings
worth reporting without skipping the document."""

from __future__ import annotations

from dataclasses import dataclass

from policyqa.types import Section


@dataclass(frozen=True)
class Parsed:
    sections: list[Section]
    pages: int
    warnings: list[str]
