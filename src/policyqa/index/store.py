"""The index on disk: a folder of parts with its manifest, switched in atomically.

    <index root>/builds/<build id>/   manifest.json, dense.faiss, sparse/, passages.jsonl, documents.json,
                                      units.npy and unit_rows.npy (one vector per passage unit)
    <index root>/current              symbolic link to the build in service

A build writes into a hidden staging folder and moves the `current` link only when every
part is written, so an interrupted build leaves the previous index serving. Nothing is
ever unpickled: FAISS's own format, bm25s arrays with allow_pickle=False, and JSON.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime
from pathlib import Path

import faiss
import numpy as np

from policyqa import __version__
from policyqa.corpus.passages import Sizing
from policyqa.index.sparse import SparseIndex
from policyqa.index.staging import LINK_STAGING, staged
from policyqa.retrieve.absent import Vocabulary
from policyqa.serialise import from_data, to_data
from policyqa.text.units import units as passage_units
from policyqa.types import Document, Passage

FORMAT = 1


class IndexProblem(Exception):
    """Base for index problems a user can act on."""


class IndexMissingError(IndexProblem):
    pass


class IndexMismatchError(IndexProblem):
    pass


class IndexDamagedError(IndexProblem):
    """A part of the build is missing, truncated or altered since it was written."""


@dataclass(frozen=True)
class Manifest:
    format: int
    build_id: str
    built_at: str
    policyqa_version: str
    embedding_model: str
    embedding_fingerprint: str
    dimension: int
    chunking: dict
    bm25: dict
    corpus_hash: str
    collection: str
    documents: int
    passages: int
    languages: dict
    seconds: float
    dense_index: str = "IndexFlatIP"
    units: int = 0  # unit vectors (0 in builds made before they existed)
    # Every other file of the build: relative path -> {"bytes", "sha256"}, checked on load, so a
    # truncated or altered part is named instead of failing somewhere inside FAISS or numpy.
    # Empty in builds made before it existed.
    parts: dict = field(default_factory=dict)


def embedding_text(passage: Passage, doc: Document | None) -> str:
    """What the dense side embeds: the instrument and heading, then the verbatim text."""
    head = " — ".join(x for x in ((doc.short_title if doc else ""), passage.context) if x)
    return f"{head}\n{passage.text}" if head else passage.text


def corpus_hash(passages: list[Passage]) -> str:
    return hashlib.sha256("\n".join(p.id for p in passages).encode()).hexdigest()


@dataclass
class Index:
    folder: Path
    manifest: Manifest
    passages: list[Passage]
    documents: dict[str, Document]
    dense: faiss.Index
    sparse: SparseIndex
    unit_vectors: np.ndarray | None = None  # one row per unit (units.py), None in older builds
    unit_rows: np.ndarray | None = None  # the passage row of each unit, ascending
    # Every catalogue entry, held or not, of every collection (`documents` are the held ones);
    # builds made before it existed list the held ones only.
    catalogue: dict[str, Document] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._unit_search: faiss.Index | None = None
        self._vocabulary: Vocabulary | None = None
        self.catalogue = self.catalogue or dict(self.documents)
        self.row_of = {p.id: i for i, p in enumerate(self.passages)}
        self.by_parallel: dict[str, list[int]] = {}
        for i, p in enumerate(self.passages):
            if p.parallel_key:
                self.by_parallel.setdefault(p.parallel_key, []).append(i)

    def dense_scores(self, query: np.ndarray) -> np.ndarray:
        """The cosine of every passage row to the query vector (retrieve/backend.py)."""
        scores = np.full(len(self.passages), -np.inf, dtype=np.float32)
        found, rows = self.dense.search(np.asarray(query, dtype=np.float32).reshape(1, -1), len(self.passages))
        scores[rows[0]] = found[0]
        return scores

    def sparse_scores(self, text: str) -> dict[str, np.ndarray]:
        return self.sparse.scores(text)

    def unit_scores(self, row: int, query: np.ndarray) -> list[float] | None:
        """The cosine of each unit of one passage (in units.py order) to the query vector;
        None when this build has no unit vectors."""
        if self.unit_vectors is None or self.unit_rows is None:
            return None
        a = int(np.searchsorted(self.unit_rows, row, side="left"))
        b = int(np.searchsorted(self.unit_rows, row, side="right"))
        return [float(x) for x in self.unit_vectors[a:b] @ np.asarray(query, dtype=np.float32).reshape(-1)]

    def vocabulary(self) -> Vocabulary:
        """Every word of the passages and the catalogue entries, built on first use."""
        if self._vocabulary is None:
            self._vocabulary = Vocabulary.of(self.passages, self.documents.values())
        return self._vocabulary

    def passage_unit_scores(self, query: np.ndarray) -> np.ndarray | None:
        """For every passage row, the cosine of its closest unit to the query vector (-inf for
        a passage without units); None when this build has no unit vectors."""
        if self.unit_vectors is None or self.unit_rows is None:
            return None
        if self._unit_search is None:
            # Through FAISS, not a numpy product: numpy's BLAS threads stay spinning after a
            # product this size and slow the next question's embedding by about 50 ms on 2 cores.
            self._unit_search = faiss.IndexFlatIP(self.unit_vectors.shape[1])
            self._unit_search.add(np.ascontiguousarray(self.unit_vectors, dtype=np.float32))
        n = self._unit_search.ntotal
        scores, order = self._unit_search.search(np.asarray(query, dtype=np.float32).reshape(1, -1), n)
        by_unit = np.empty(n, dtype=np.float32)
        by_unit[order[0]] = scores[0]
        best = np.full(len(self.passages), -np.inf, dtype=np.float32)
        np.maximum.at(best, self.unit_rows, by_unit)
        return best


def build_index(
    passages: list[Passage],
    documents: list[Document],
    embed_documents: Callable[[list[str]], np.ndarray],
    embedder_name: str,
    embedder_fingerprint: str,
    dimension: int,
    root: Path,
    collection: str = "default",
    sizing: Sizing = Sizing(),
    keep: int = 2,
    catalogue: list[Document] | None = None,
) -> Path:
    """Embed, index and write a complete build, then make it current."""
    if not passages:
        raise IndexProblem("no passages to index: is the corpus available? (policyqa corpus status)")
    started = time.perf_counter()
    docs = {d.id: d for d in documents}
    builds = root / "builds"
    build_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%S") + "-" + corpus_hash(passages)[:8]
    with staged(root, build_id, IndexProblem) as staging:
        vectors = np.ascontiguousarray(embed_documents([embedding_text(p, docs.get(p.doc_id)) for p in passages]), dtype=np.float32)
        if vectors.shape != (len(passages), dimension):
            raise IndexProblem(f"embedder returned {vectors.shape}, expected {(len(passages), dimension)}")
        dense = faiss.IndexFlatIP(dimension)
        dense.add(vectors)
        faiss.write_index(dense, str(staging / "dense.faiss"))
        unit_texts, unit_rows = [], []
        for row, p in enumerate(passages):
            for unit in passage_units(p.text):
                unit_texts.append(unit)
                unit_rows.append(row)
        unit_vectors = np.ascontiguousarray(embed_documents(unit_texts), dtype=np.float32)
        if unit_vectors.shape != (len(unit_texts), dimension):
            raise IndexProblem(f"embedder returned {unit_vectors.shape} for the units, expected {(len(unit_texts), dimension)}")
        np.save(staging / "units.npy", unit_vectors, allow_pickle=False)
        np.save(staging / "unit_rows.npy", np.asarray(unit_rows, dtype=np.int64), allow_pickle=False)
        SparseIndex.build([p.text for p in passages], [p.lang for p in passages]).save(staging / "sparse")
        with (staging / "passages.jsonl").open("w", encoding="utf-8") as handle:
            for p in passages:
                handle.write(json.dumps(to_data(p), ensure_ascii=False) + "\n")
        used = sorted({p.doc_id for p in passages})
        _write_documents(staging / "documents.json", [docs[i] for i in used if i in docs])
        # The whole catalogue, held or not, every collection: a question naming a catalogued
        # text this index lacks is declined with that text's name and how to add it.
        _write_documents(staging / "catalogue.json", catalogue if catalogue is not None else documents)
        langs: dict[str, int] = {}
        for p in passages:
            langs[p.lang] = langs.get(p.lang, 0) + 1
        manifest = Manifest(
            format=FORMAT,
            build_id=build_id,
            built_at=datetime.now(UTC).isoformat(timespec="seconds"),
            policyqa_version=__version__,
            embedding_model=embedder_name,
            embedding_fingerprint=embedder_fingerprint,
            dimension=dimension,
            chunking=asdict(sizing),
            bm25={"k1": 1.2, "b": 0.75, "analysis": "snowball+stopwords+fold"},
            corpus_hash=corpus_hash(passages),
            collection=collection,
            documents=len(used),
            passages=len(passages),
            languages=langs,
            seconds=round(time.perf_counter() - started, 2),
            units=len(unit_texts),
            parts=_describe_parts(staging),
        )
        (staging / "manifest.json").write_text(json.dumps(asdict(manifest), indent=2), encoding="utf-8")
        final = builds / build_id
        os.replace(staging, final)
    point_current(root, final)
    _prune(builds, keep, final)
    return final


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def _describe_parts(folder: Path) -> dict:
    return {
        p.relative_to(folder).as_posix(): {"bytes": p.stat().st_size, "sha256": _sha256(p)}
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != "manifest.json"
    }


def damage(folder: Path, manifest: Manifest) -> list[str]:
    """What is wrong with a build's files against its manifest: one line per missing,
    truncated or altered part (empty for a sound build, or one made before parts were recorded)."""
    problems = []
    for name, expected in sorted(manifest.parts.items()):
        path = folder / name
        if not path.is_file():
            problems.append(f"{name} is missing")
        elif path.stat().st_size != expected.get("bytes"):
            problems.append(f"{name} has {path.stat().st_size} bytes, not {expected.get('bytes')}")
        elif _sha256(path) != expected.get("sha256"):
            problems.append(f"{name} differs from what was built (sha256)")
    return problems


def point_current(root: Path, target: Path) -> None:
    """Swap the `current` link in one rename, so readers see the old or the new build, never half."""
    link = root / "current"
    tmp = root / f"{LINK_STAGING}{os.getpid()}"
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    tmp.symlink_to(target.relative_to(root))
    os.replace(tmp, link)


def _prune(builds: Path, keep: int, current: Path) -> None:
    done = sorted((b for b in builds.iterdir() if b.is_dir() and not b.name.startswith(".")), key=lambda b: b.name)
    for old in done[:-keep]:
        if old != current:
            shutil.rmtree(old, ignore_errors=True)


def current_folder(root: Path) -> Path:
    link = root / "current"
    if not link.exists():
        raise IndexMissingError(f"no index in {root}: run `policyqa index build` first")
    return link.resolve()


def read_manifest(folder: Path) -> Manifest:
    try:
        data = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        return Manifest(**{k: v for k, v in data.items() if k in {f.name for f in fields(Manifest)}})
    except (OSError, ValueError, TypeError) as exc:
        raise IndexMissingError(f"the index in {folder} has no readable manifest ({exc}): rebuild it with `policyqa index build`") from None


def load_index(root: Path, expected_fingerprint: str | None = None, expected_dimension: int | None = None) -> Index:
    """Load the current build, refusing one built with another model or settings, and one
    whose files are damaged (IndexDamagedError names the part)."""
    return load_build(current_folder(root), expected_fingerprint, expected_dimension)


def load_build(folder: Path, expected_fingerprint: str | None = None, expected_dimension: int | None = None) -> Index:
    """Load one build's folder, with the checks of load_index."""
    manifest = read_manifest(folder)
    if manifest.format != FORMAT:
        raise IndexMismatchError(f"index format {manifest.format} is not {FORMAT}: rebuild with `policyqa index build`")
    if expected_fingerprint is not None and manifest.embedding_fingerprint != expected_fingerprint:
        raise IndexMismatchError(
            f"the index was built with embedder {manifest.embedding_model} ({manifest.embedding_fingerprint[:12]}…), "
            f"not the configured one ({expected_fingerprint[:12]}…): rebuild with `policyqa index build`"
        )
    if expected_dimension is not None and manifest.dimension != expected_dimension:
        raise IndexMismatchError(f"the index has dimension {manifest.dimension}, the embedder {expected_dimension}: rebuild it")
    problems = damage(folder, manifest)
    if problems:
        raise IndexDamagedError(f"the index {folder.name} is damaged ({'; '.join(problems)}): rebuild it with `policyqa index build`")
    try:
        return _read_parts(folder, manifest)
    except IndexProblem:
        raise
    except Exception as exc:  # FAISS, numpy, bm25s and JSON each fail their own way on a bad file
        raise IndexDamagedError(
            f"the index {folder.name} is damaged ({type(exc).__name__}: {exc}): rebuild it with `policyqa index build`"
        ) from None


def _read_parts(folder: Path, manifest: Manifest) -> Index:
    passages = [
        from_data(Passage, json.loads(line)) for line in (folder / "passages.jsonl").read_text(encoding="utf-8").splitlines() if line
    ]
    documents = _read_documents(folder / "documents.json")
    dense = faiss.read_index(str(folder / "dense.faiss"))
    if dense.ntotal != len(passages) or dense.ntotal != manifest.passages:
        raise IndexDamagedError(f"the index in {folder} is inconsistent ({dense.ntotal} vectors, {len(passages)} passages): rebuild it")
    unit_vectors = unit_rows = None
    if manifest.units or (folder / "units.npy").exists():
        unit_vectors = np.load(folder / "units.npy", allow_pickle=False)
        unit_rows = np.load(folder / "unit_rows.npy", allow_pickle=False)
        if (
            len(unit_vectors) != len(unit_rows)
            or len(unit_rows) != manifest.units
            or (len(unit_rows) and (unit_rows[-1] >= len(passages) or np.any(np.diff(unit_rows) < 0)))
        ):
            raise IndexDamagedError(f"the unit vectors in {folder} do not match its passages: rebuild it")
    catalogue = _read_documents(folder / "catalogue.json") if (folder / "catalogue.json").exists() else {}
    return Index(folder, manifest, passages, documents, dense, SparseIndex.load(folder / "sparse"), unit_vectors, unit_rows, catalogue)


def _write_documents(path: Path, documents: list[Document]) -> None:
    path.write_text(json.dumps([to_data(d) for d in documents], ensure_ascii=False, indent=1), encoding="utf-8")


def _read_documents(path: Path) -> dict[str, Document]:
    return {d["id"]: from_data(Document, d) for d in json.loads(path.read_text(encoding="utf-8"))}
