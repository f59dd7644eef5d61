"""The LangChain quick-start pipeline everyone would start from, as a measured baseline:
raw document text, RecursiveCharacterTextSplitter(1000, 200), the same embedder, FAISS."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import faiss
import numpy as np
from langchain_text_splitters import RecursiveCharacterTextSplitter

from policyqa.corpus import catalog, load
from policyqa.types import Document


@dataclass(frozen=True)
class Chunk:
    doc_id: str
    lang: str
    text: str


def raw_text(doc: Document, path: Path) -> str:
    """The text a quick start would feed the splitter: no cleaning, no structure."""
    if doc.format == "pdf":
        return "\n".join(p.text for p in load.read_pdf(path).pages)
    if doc.format == "md":
        return load.read_markdown(path).pages[0].text
    return load.read_text(path)


def chunks(docs: list[Document], roots: tuple[Path, ...], size: int = 1000, overlap: int = 200) -> list[Chunk]:
    splitter = RecursiveCharacterTextSplitter(chunk_size=size, chunk_overlap=overlap)
    out: list[Chunk] = []
    for doc in docs:
        path = catalog.locate(doc, roots)
        if path is None or doc.format == "xml":
            continue
        try:
            text = raw_text(doc, path)
        except load.LoadError:
            continue
        out += [Chunk(doc.id, doc.lang, piece) for piece in splitter.split_text(text)]
    return out


class QuickStartIndex:
    def __init__(
        self, items: list[Chunk], embed_documents: Callable[[list[str]], np.ndarray], embed_query: Callable[[str], np.ndarray]
    ) -> None:
        self.chunks = items
        vectors = np.ascontiguousarray(embed_documents([c.text for c in items]), dtype=np.float32)
        self.dense = faiss.IndexFlatIP(vectors.shape[1])
        self.dense.add(vectors)
        self.embed_query = embed_query

    def search(self, query: str, k: int = 10) -> list[Chunk]:
        vector = np.asarray(self.embed_query(query), dtype=np.float32).reshape(1, -1)
        _, rows = self.dense.search(vector, k)
        return [self.chunks[r] for r in rows[0] if r >= 0]
