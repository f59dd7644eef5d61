"""The sparse side of the index: one BM25 model per language (bm25s), saved without pickle."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import bm25s
import numpy as np

from policyqa.text.analysis import LANGS, analyse


@dataclass
class LanguageBM25:
    lang: str
    rows: np.ndarray  # global passage rows covered by this model
    model: bm25s.BM25


class SparseIndex:
    """BM25 scores over every passage, computed per language with that language's analyser."""

    def __init__(self, parts: dict[str, LanguageBM25], size: int) -> None:
        self.parts = parts
        self.size = size

    @classmethod
    def build(cls, texts: list[str], langs: list[str], k1: float = 1.2, b: float = 0.75) -> SparseIndex:
        parts: dict[str, LanguageBM25] = {}
        for lang in LANGS:
            rows = np.array([i for i, l in enumerate(langs) if l == lang], dtype=np.int64)
            if not len(rows):
                continue
            model = bm25s.BM25(k1=k1, b=b)
            # An empty token list would break bm25s; a passage of stop words gets a placeholder.
            model.index([analyse(texts[i], lang) or ["∅"] for i in rows], show_progress=False)
            parts[lang] = LanguageBM25(lang, rows, model)
        return cls(parts, len(texts))

    def scores(self, query: str) -> dict[str, np.ndarray]:
        """For each language, a full-length score vector (zero outside that language)."""
        out: dict[str, np.ndarray] = {}
        for lang, part in self.parts.items():
            tokens = [t for t in analyse(query, lang) if t in part.model.vocab_dict]
            full = np.zeros(self.size, dtype=np.float32)
            if tokens:
                full[part.rows] = part.model.get_scores(tokens)
            out[lang] = full
        return out

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        meta = {"size": self.size, "languages": {}}
        for lang, part in self.parts.items():
            part.model.save(str(folder / lang), allow_pickle=False)
            np.save(folder / f"{lang}.rows.npy", part.rows, allow_pickle=False)
            meta["languages"][lang] = int(len(part.rows))
        (folder / "sparse.json").write_text(json.dumps(meta), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> SparseIndex:
        meta = json.loads((folder / "sparse.json").read_text(encoding="utf-8"))
        parts = {}
        for lang in meta["languages"]:
            model = bm25s.BM25.load(str(folder / lang), allow_pickle=False)
            rows = np.load(folder / f"{lang}.rows.npy", allow_pickle=False)
            parts[lang] = LanguageBM25(lang, rows, model)
        return cls(parts, int(meta["size"]))
