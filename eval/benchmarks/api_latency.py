"""Latency of the HTTP API as a client sees it: GET /v1/search, POST /v1/ask and the time
to the first and last event of POST /v1/ask/stream, over every gold question.

    .venv/bin/python eval/benchmarks/api_latency.py --base http://127.0.0.1:8000 [--json] [--out FILE]

Run against a service started with `POLICYQA_RATE_LIMIT=off policyqa serve` on the default
index (real model): the benchmark asks several hundred questions from one address, over the
default per-client limit.
One request at a time, after one warm-up request per route, so the figures are per
request, not throughput.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import httpx
from search_latency import percentile  # the same nearest-rank percentile as the search benchmark

from policyqa.evaluation.questions import load_questions


def _stream(client: httpx.Client, base: str, question: str) -> tuple[float, float]:
    started = time.perf_counter()
    first = None
    with client.stream("POST", f"{base}/v1/ask/stream", json={"question": question}) as response:
        response.raise_for_status()
        for line in response.iter_lines():
            if first is None and line.startswith("event: delta"):
                first = (time.perf_counter() - started) * 1000
    total = (time.perf_counter() - started) * 1000
    return first if first is not None else total, total


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--questions", type=Path, default=Path("eval/questions/gold.jsonl"))
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--out", type=Path, help="also write the report here as JSON")
    args = parser.parse_args()
    questions = [q.question for q in load_questions(args.questions)]
    timings: dict[str, list[float]] = {"search": [], "ask": [], "stream_first_text": [], "stream_done": []}
    with httpx.Client(timeout=120) as client:
        index = client.get(f"{args.base}/v1/index").json()
        client.get(f"{args.base}/v1/search", params={"q": "warm-up"})
        client.post(f"{args.base}/v1/ask", json={"question": "warm-up"})
        for question in questions:
            t = time.perf_counter()
            client.get(f"{args.base}/v1/search", params={"q": question, "k": 5}).raise_for_status()
            timings["search"].append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            client.post(f"{args.base}/v1/ask", json={"question": question}).raise_for_status()
            timings["ask"].append((time.perf_counter() - t) * 1000)
            first, done = _stream(client, args.base, question)
            timings["stream_first_text"].append(first)
            timings["stream_done"].append(done)
    report = {
        "requests_per_route": len(questions),
        "index": index.get("build_id", ""),
        "passages": index.get("passages", 0),
        **{f"{route}_p{int(q * 100)}_ms": round(percentile(values, q), 1) for route, values in timings.items() for q in (0.5, 0.95)},
    }
    text = json.dumps(report, indent=2)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    print(text if args.json else "\n".join(f"{k}: {v}" for k, v in report.items()))


if __name__ == "__main__":
    main()
