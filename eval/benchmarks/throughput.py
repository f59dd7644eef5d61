"""Throughput of the HTTP API with one and two workers, on SQLite and on PostgreSQL, side by
side in one run on the same machine and the same index.

    .venv/bin/python eval/benchmarks/throughput.py [--seconds 20] [--search-clients 20]
        [--ask-clients 10] [--postgres URL] [--json] [--out FILE]

Serves the index already built (`policyqa index build`, the configured embedder) with
`policyqa serve --workers N`, POLICYQA_RATE_LIMIT=off and a fresh conversation database per
configuration: a SQLite file, or a new database on PostgreSQL (the server --postgres names,
else a throwaway cluster made with Debian's server binaries, as the test suite does). Each
configuration waits until every worker is ready, then runs GET /v1/search with
--search-clients threads and POST /v1/ask (which writes a conversation and a turn) with
--ask-clients threads for --seconds each; requests/s, p50 and p95 count 200 answers, anything
else is an error. Clients run on the same machine and share its cores.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import httpx
from encoders import HOST, REPO, Texts, concurrent, free_port, machine, memory_mb, say, start_server, stop

from policyqa.evaluation.questions import load_questions
from policyqa.index.store import current_folder, read_manifest
from policyqa.settings import Settings


def wait_for_workers(base: str, workers: int, timeout: float = 600) -> None:
    """Until `workers` distinct workers have answered ready (new connections reach either)."""
    seen: set[str] = set()
    deadline = time.time() + timeout
    while len(seen) < workers and time.time() < deadline:
        with httpx.Client(timeout=10) as client:
            status = client.get(f"{base}/v1/index").json()
        if status["ready"]:
            seen.add(status["worker"])
        time.sleep(0.2)
    if len(seen) < workers:
        raise RuntimeError(f"only {len(seen)} of {workers} workers were ready in {timeout:.0f} s")


def run(env: dict, workers: int, questions: list[str], tmp: Path, args: argparse.Namespace) -> dict:
    port = free_port()
    base = f"http://{HOST}:{port}"
    proc, ready_s = start_server(env, port, tmp / f"serve-{time.time_ns()}.log", 900, workers)
    try:
        wait_for_workers(base, workers)
        report: dict = {"start_to_ready_s": round(ready_s, 1)}
        texts = Texts(questions, repeat=False)
        for route, clients in (("search", args.search_clients), ("ask", args.ask_clients)):
            report[route] = concurrent(base, route, texts, clients, args.seconds)
        report["memory"] = memory_mb(proc.pid)
        return report
    finally:
        stop(proc)


def postgres(args: argparse.Namespace):
    """(server URL, cluster to remove or None)."""
    if args.postgres:
        return args.postgres, None
    sys.path.insert(0, str(REPO / "tests"))
    from postgres_cluster import Cluster, server_binaries

    binaries = server_binaries()
    if binaries is None:
        raise SystemExit("no PostgreSQL server: install Debian's postgresql, or pass --postgres URL")
    cluster = Cluster(binaries, free_port())
    return cluster.url, cluster


def table(report: dict) -> str:
    rows = [
        "| database | workers | search req/s | search p50 / p95 ms | ask req/s | ask p50 / p95 ms | errors | memory (MB) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in report["runs"]:
        s, a = r["search"], r["ask"]
        rows.append(
            f"| {r['database']} | {r['workers']} | {s['requests_per_s']} | {s['p50_ms']} / {s['p95_ms']} | "
            f"{a['requests_per_s']} | {a['p50_ms']} / {a['p95_ms']} | {s['errors'] + a['errors']} | {r['memory']['rss_mb']} |"
        )
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--search-clients", type=int, default=20)
    parser.add_argument("--ask-clients", type=int, default=10)
    parser.add_argument("--workers", default="1,2", help="worker counts to run, comma-separated")
    parser.add_argument("--postgres", help="a server URL (postgresql://user@host:port/db); default: a throwaway cluster")
    parser.add_argument("--questions", type=Path, default=REPO / "eval/questions/gold.jsonl")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    settings = Settings.from_env()
    manifest = read_manifest(current_folder(settings.index_dir))
    questions = [q.question for q in load_questions(args.questions)]
    server, cluster = postgres(args)
    report: dict = {
        "machine": machine(),
        "index": manifest.build_id,
        "passages": manifest.passages,
        "embedding_model": manifest.embedding_model,
        "seconds": args.seconds,
        "runs": [],
    }
    sys.path.insert(0, str(REPO / "tests"))
    from postgres_cluster import new_database

    try:
        with tempfile.TemporaryDirectory(prefix="policyqa-throughput-") as folder:
            tmp = Path(folder)
            for database in ("sqlite", "postgresql"):
                for workers in (int(w) for w in args.workers.split(",")):
                    db = str(tmp / f"db-{workers}.sqlite3") if database == "sqlite" else new_database(server)
                    env = {**settings.child_environment(), "POLICYQA_DB": db, "POLICYQA_RATE_LIMIT": "off"}
                    say(f"{database}, {workers} worker(s)")
                    report["runs"].append({"database": database, "workers": workers, **run(env, workers, questions, tmp, args)})
    finally:
        if cluster is not None:
            cluster.remove()
    text = json.dumps(report, indent=2, ensure_ascii=False)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    print(text if args.json else table(report))


if __name__ == "__main__":
    main()
