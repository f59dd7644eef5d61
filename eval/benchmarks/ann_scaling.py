"""How the dense side scales: exact flat search against FAISS approximate indexes.

    .venv/bin/python eval/benchmarks/ann_scaling.py [--n 200000] [--json]

The corpus has ~1,200 passages, so the N vectors are synthesised from the real passage
vectors (random mixtures of two passages plus noise, normalised), which keeps the geometry
of real embeddings; the queries are the real gold questions. Reported per index type: build
seconds, bytes, query ms (one at a time), and recall@10 against exact search.
"""

from __future__ import annotations

import argparse
import json
import time

import faiss
import numpy as np

from policyqa import pipeline
from policyqa.evaluation.questions import load_questions
from policyqa.settings import Settings


def synthesise(base: np.ndarray, n: int, seed: int = 7) -> np.ndarray:
    rng = np.random.default_rng(seed)
    a, b = rng.integers(0, len(base), n), rng.integers(0, len(base), n)
    mix = rng.uniform(0.2, 0.8, (n, 1)).astype(np.float32)
    out = mix * base[a] + (1 - mix) * base[b] + rng.normal(0, 0.02, (n, base.shape[1])).astype(np.float32)
    return out / np.linalg.norm(out, axis=1, keepdims=True)


def measure(name: str, index: faiss.Index, data: np.ndarray, queries: np.ndarray, truth: np.ndarray) -> dict:
    started = time.perf_counter()
    if not index.is_trained:
        index.train(data[: min(len(data), 100_000)])
    index.add(data)
    build = time.perf_counter() - started
    times, found = [], []
    for q in queries:
        t = time.perf_counter()
        _, rows = index.search(q.reshape(1, -1), 10)
        times.append((time.perf_counter() - t) * 1000)
        found.append(rows[0])
    recall = float(np.mean([len(set(f) & set(t)) / 10 for f, t in zip(found, truth)]))
    size = faiss.serialize_index(index).nbytes
    return {
        "index": name,
        "build_s": round(build, 1),
        "bytes": int(size),
        "query_p50_ms": round(float(np.median(times)), 2),
        "query_p95_ms": round(float(np.percentile(times, 95)), 2),
        "recall@10_vs_flat": round(recall, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=200_000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    settings = Settings.from_env()
    embedder = pipeline.make_embedder(settings)
    index = pipeline.open_index(settings, embedder)
    base = index.dense.reconstruct_n(0, index.dense.ntotal)
    data = synthesise(base, args.n)
    queries = embedder.embed_queries([q.question for q in load_questions("eval/questions/gold.jsonl")])
    d = data.shape[1]
    flat = faiss.IndexFlatIP(d)
    flat.add(data)
    _, truth = flat.search(queries, 10)
    rows = [measure("Flat (exact)", faiss.IndexFlatIP(d), data, queries, truth)]
    hnsw = faiss.IndexHNSWFlat(d, 32, faiss.METRIC_INNER_PRODUCT)
    hnsw.hnsw.efSearch = 64
    rows.append(measure("HNSW32 efSearch=64", hnsw, data, queries, truth))
    nlist = max(64, int(4 * np.sqrt(args.n)))
    ivfpq = faiss.IndexIVFPQ(faiss.IndexFlatIP(d), d, nlist, 96, 8, faiss.METRIC_INNER_PRODUCT)
    ivfpq.nprobe = 32
    rows.append(measure(f"IVF{nlist},PQ96 nprobe=32", ivfpq, data, queries, truth))
    ivfsq = faiss.IndexIVFScalarQuantizer(faiss.IndexFlatIP(d), d, nlist, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT)
    ivfsq.nprobe = 32
    rows.append(measure(f"IVF{nlist},SQ8 nprobe=32", ivfsq, data, queries, truth))
    report = {"n": args.n, "dimension": d, "results": rows}
    print(json.dumps(report) if args.json else json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
