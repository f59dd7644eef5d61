"""What retrieval and the answerers read of an index: the one interface a search backend
implements. `index.store.Index` implements it over FAISS and bm25s in this process; a
distributed engine (OpenSearch: README, "Scaling") would implement the same.

The score methods return one score per passage row, -inf (dense) or 0 (sparse) where a
passage was not found. Fusion reads only the first `depth` rows of each ranking, so a backend
that finds only its top hits and leaves the rest at -inf or 0 gives the same results.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np

from policyqa.retrieve.absent import Vocabulary
from policyqa.types import Document, Passage


class SearchBackend(Protocol):
    passages: Sequence[Passage]  # row -> passage; a remote backend may fetch them lazily
    documents: dict[str, Document]  # the held documents
    catalogue: dict[str, Document]  # every catalogued text, held or not
    row_of: dict[str, int]  # passage id -> row
    by_parallel: dict[str, list[int]]  # parallel key -> the rows of its language versions

    def dense_scores(self, query: np.ndarray) -> np.ndarray:
        """The cosine of every passage to the query vector (shape (1, d))."""
        ...

    def sparse_scores(self, text: str) -> dict[str, np.ndarray]:
        """BM25 scores of every passage, per analysed language."""
        ...

    def passage_unit_scores(self, query: np.ndarray) -> np.ndarray | None:
        """Every passage's best unit cosine; None without unit vectors."""
        ...

    def unit_scores(self, row: int, query: np.ndarray) -> list[float] | None:
        """Each unit's cosine within one passage."""
        ...

    def vocabulary(self) -> Vocabulary: ...
