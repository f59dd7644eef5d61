"""Search latency, index size and memory of a process holding the index.

    .venv/bin/python eval/benchmarks/search_latency.py [--questions eval/questions/gold.jsonl] [--json]

Warm, one query at a time: the model and index are loaded first and one query is run
before timing. Embedding and search are timed apart (SearchResult.embed_ms / search_ms).
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import time
from pathlib import Path

from policyqa import pipeline
from policyqa.evaluation.questions import load_questions
from policyqa.index.store import current_folder
from policyqa.settings import Settings


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--questions", type=Path, default=Path("eval/questions/gold.jsonl"))
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    settings = Settings.from_env()
    started = time.perf_counter()
    embedder = pipeline.make_embedder(settings)
    retriever = pipeline.retriever(settings, embedder)
    retriever.search("warm-up question about migrants", k=5)
    load_s = time.perf_counter() - started
    folder = current_folder(settings.index_dir)
    size = sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())
    embed_ms, search_ms, total_ms = [], [], []
    for q in load_questions(args.questions):
        t = time.perf_counter()
        result = retriever.search(q.question, k=5)
        total_ms.append((time.perf_counter() - t) * 1000)
        embed_ms.append(result.embed_ms)
        search_ms.append(result.search_ms)
    report = {
        "queries": len(total_ms),
        "passages": len(retriever.index.passages),
        "index_bytes": size,
        "load_seconds": round(load_s, 2),
        "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        **{
            f"{name}_p{int(q * 100)}_ms": round(percentile(values, q), 1)
            for name, values in (("embed", embed_ms), ("search", search_ms), ("total", total_ms))
            for q in (0.5, 0.95)
        },
        "total_mean_ms": round(statistics.fmean(total_ms), 1),
    }
    print(json.dumps(report) if args.json else "\n".join(f"{k}: {v}" for k, v in report.items()))


if __name__ == "__main__":
    main()
