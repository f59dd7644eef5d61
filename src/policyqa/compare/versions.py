"""Two versions of a text from the index, compared: `policyqa compare`, GET /v1/compare and
the question flow ("qu'est-ce qui a changé entre les résolutions de 2023 et 2025 … ?")."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

from policyqa.compare.align import Pair, align
from policyqa.compare.provisions import Provision, provisions_of
from policyqa.retrieve.backend import SearchBackend
from policyqa.types import Document


class CannotCompare(ValueError):
    """The two texts cannot be compared; the message says why and what would do."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Comparison:
    old: Document
    new: Document
    pairs: tuple[Pair, ...]

    def counts(self) -> dict[str, int]:
        counted = Counter(p.status for p in self.pairs)
        return {
            "unchanged": counted["unchanged"],
            "amended": counted["amended"],
            "added": counted["added"],
            "dropped": counted["dropped"],
            "moved": sum(1 for p in self.pairs if p.moved),
        }


def find_document(index: SearchBackend, name: str) -> Document:
    """A held document by id or symbol ("a-res-80-218-en", "A/RES/80/218"); English first."""
    wanted = name.strip()
    if wanted in index.documents:
        return index.documents[wanted]
    by_symbol = [d for d in index.documents.values() if d.symbol and d.symbol.lower() == wanted.lower()]
    if by_symbol:
        return sorted(by_symbol, key=lambda d: d.lang != "en")[0]
    if wanted in index.catalogue:
        raise CannotCompare("unindexed_document", f"'{wanted}' is catalogued but not in the index (its file is not here)")
    raise CannotCompare("unknown_document", f"no document '{wanted}' in the index (an id such as a-res-80-218-en, or a symbol)")


def _vectors(index: SearchBackend, provisions: list[Provision]) -> np.ndarray | None:
    dense = getattr(index, "dense", None)
    if dense is None or not hasattr(dense, "reconstruct"):
        return None
    rows = [[index.row_of[i] for i in p.passage_ids if i in index.row_of] for p in provisions]
    vectors = np.stack([np.mean([dense.reconstruct(r) for r in rs], axis=0) if rs else np.zeros(dense.d) for rs in rows])
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms == 0, 1, norms)


def compare(index: SearchBackend, old_name: str, new_name: str) -> Comparison:
    """Raises CannotCompare for an unknown document, the same one twice, or two texts that
    are not versions of one another (different series in the catalogue)."""
    old, new = find_document(index, old_name), find_document(index, new_name)
    if old.id == new.id:
        raise CannotCompare("same_document", f"'{old_name}' and '{new_name}' are the same text")
    if not old.series or old.series != new.series:
        raise CannotCompare(
            "not_versions",
            f"{old.symbol or old.id} and {new.symbol or new.id} are not versions of one text "
            f"(series '{old.series or 'none'}' and '{new.series or 'none'}' in the catalogue)",
        )
    if (old.adopted, old.id) > (new.adopted, new.id):  # the earlier one is the old version
        old, new = new, old
    passages = {d: [p for p in index.passages if p.doc_id == d] for d in (old.id, new.id)}
    a, b = provisions_of(passages[old.id]), provisions_of(passages[new.id])
    va, vb = _vectors(index, a), _vectors(index, b)
    cosine = va @ vb.T if va is not None and vb is not None else None
    return Comparison(old, new, tuple(align(a, b, cosine)))
