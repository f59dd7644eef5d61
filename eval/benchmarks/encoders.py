"""Query encoders side by side: build time, query latency, HTTP throughput, memory and quality
of each embedder, in one run, on the same machine.

    .venv/bin/python eval/benchmarks/encoders.py [--encoders embeddinggemma,embeddinggemma-onnx,embeddinggemma-int8]
        [--skip-cold-build embeddinggemma] [--seconds 20] [--clients 20] [--json] [--out FILE]

Try it in seconds with the fake: `--encoders hashing --seconds 3`.

Each encoder (a name `policyqa.pipeline.make_embedder` knows) gets its own temporary index,
cache and conversation database, and runs alone, one after the other:

1. cold build: `policyqa index build` in a subprocess with POLICYQA_EMBEDDER set, over a cache
   whose `embeddings/` is empty and whose `models/` links to the user's real model cache (the
   weights are never fetched again); wall clock. `--skip-cold-build NAME[,..]` links the real
   embeddings cache too and reports the (warm) build time instead, the cold one as skipped;
2. query latency, in this process: the embedder, one warm-up question, then each question
   embedded alone (p50/p95 ms);
3. the real server (`policyqa serve`, POLICYQA_RATE_LIMIT=off) on that index: start-to-ready
   (process start to GET /v1/ready == 200, which includes the service's own warm-up), the
   first GET /v1/search after ready, then GET /v1/search and POST /v1/ask over the questions,
   one client in sequence (each question once) and `--clients` threads for `--seconds` each
   (each its own connection). Every text sent to a server is new to it: the service keeps
   the vectors of recent questions (policyqa.index.query_encoder), so a question sent again
   would time the cache, not the encoder; after one pass over the questions, each is sent
   again with " #N" appended (`--repeat` sends them as they are, to time the cached path).
   Latencies and requests/s count 200 answers; every other status or failed request is
   counted under "errors", by kind. The clients run on the same machine as the server and
   share its cores;
4. the server's resident memory (VmRSS, and peak VmHWM, of the process and any children)
   after the load runs;
5. quality: `policyqa eval --systems hybrid --mode extractive --json` on the gold and held-out
   sets against that index: recall@5 and MRR@10 (hybrid, overall) and the extractive
   answers' citation precision.

The machine (CPU model, cores, the flags that matter to int8 and fp32 kernels) heads the
report. Exit 1 when an encoder failed; the others are still measured and reported.
"""

from __future__ import annotations

import argparse
import gc
import itertools
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from importlib import metadata
from pathlib import Path

import httpx
from search_latency import percentile  # the same nearest-rank percentile as the other benchmarks

from policyqa import pipeline
from policyqa.evaluation.questions import load_questions
from policyqa.index import weights
from policyqa.index.store import current_folder, read_manifest
from policyqa.settings import Settings, cache_dir

REPO = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"
NOTABLE_FLAGS = ("avx2", "avx512f", "avx512_vnni", "avx_vnni", "avx512_bf16", "amx_tile", "amx_int8", "amx_bf16")
LOADING = "loading"  # how the service's not-ready reason starts while it is still loading (api/policyqa_api/service.py)


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def machine() -> dict:
    cpuinfo = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace") if Path("/proc/cpuinfo").exists() else ""
    model = re.search(r"^model name\s*:\s*(.+)$", cpuinfo, re.M)
    flags = re.search(r"^flags\s*:\s*(.+)$", cpuinfo, re.M)
    present = set(flags.group(1).split()) if flags else set()
    versions = {}
    for package in ("torch", "onnxruntime", "sentence-transformers", "transformers"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            pass
    return {
        "cpu": model.group(1).strip() if model else "unknown",
        "cores": os.cpu_count(),
        "cores_usable": usable_cores(),
        "flags": [f for f in NOTABLE_FLAGS if f in present],
        "versions": versions,
    }


def usable_cores() -> int:
    """This process's CPU affinity, capped by a cgroup v2 quota ("200000 100000" is 2 cores)."""
    count = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    try:
        quota, period = Path("/sys/fs/cgroup/cpu.max").read_text().split()[:2]
        return max(1, min(count, -(-int(quota) // int(period))))
    except (OSError, ValueError, ZeroDivisionError):  # "max 100000" (no quota), or no cgroup v2
        return count


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def tail(log: Path, chars: int = 3000) -> str:
    """The log's last non-empty line first (what the table shows), then its end."""
    text = log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
    lines = [line for line in text.splitlines() if line.strip()]
    return (lines[-1] if lines else "(no output)") + "\n" + text[-chars:]


def check_weights(settings: Settings, names: list[str]) -> None:
    """Refuse to start (before any 10-minute build) when an encoder is unknown or its weights
    are not in the cache: the benchmark never fetches them."""
    models = cache_dir() / "models"
    for name in names:
        if name != "hashing" and settings.embedding_model_dir is None and not models.is_dir():
            raise SystemExit(f"error: {name}: no model cache at {models}; run `policyqa models fetch` first")
        try:
            pipeline.make_embedder(settings, name)
        except weights.ModelMissingError as exc:
            raise SystemExit(f"error: {name}: the model cache lacks its weights: {exc}") from None
        except ValueError as exc:
            raise SystemExit(f"error: {name}: {exc}") from None
        except Exception as exc:  # e.g. the ONNX export missing (onnx_export.EncoderMissingError)
            raise SystemExit(f"error: {name}: cannot load the encoder: {exc}") from None


def layout(tmp: Path, warm: bool) -> Path:
    """A cache under `tmp` whose models/ is the user's real one; embeddings/ empty (cold) or
    the real one too (warm)."""
    real = cache_dir()
    cache = tmp / "cache"
    cache.mkdir()
    (cache / "models").symlink_to(real / "models", target_is_directory=True)
    if warm and (real / "embeddings").is_dir():
        (cache / "embeddings").symlink_to(real / "embeddings", target_is_directory=True)
    else:
        (cache / "embeddings").mkdir()
    return cache


def environment(settings: Settings, tmp: Path, cache: Path, name: str) -> dict:
    return {
        **os.environ,
        # The user's documents, as this process sees them; everything written goes under tmp.
        "POLICYQA_CATALOG": str(settings.catalog),
        "POLICYQA_LOCAL_CORPUS": str(settings.local_corpus),
        "POLICYQA_CORPUS_ROOTS": os.pathsep.join(str(p) for p in settings.corpus_roots),
        "POLICYQA_INDEX_DIR": str(tmp / "index"),
        "POLICYQA_CACHE_DIR": str(cache),
        "POLICYQA_EMBEDDER": name,
        "POLICYQA_DB": str(tmp / "conversations.sqlite3"),
        "POLICYQA_RATE_LIMIT": "off",
    }


def cli(args: list[str], env: dict, log: Path) -> float:
    """Run `python -m policyqa.cli ARGS`, output to `log`; the wall-clock seconds."""
    started = time.perf_counter()
    with log.open("wb") as handle:
        done = subprocess.run([sys.executable, "-m", "policyqa.cli", *args], env=env, cwd=REPO, stdout=handle, stderr=subprocess.STDOUT)
    if done.returncode != 0:
        raise RuntimeError(f"`policyqa {' '.join(args)}` failed (exit {done.returncode}): {tail(log)}")
    return time.perf_counter() - started


def query_latency(settings: Settings, name: str, questions: list[str]) -> dict:
    embedder = pipeline.make_embedder(settings, name)
    started = time.perf_counter()
    embedder.embed_queries(["What rights do migrant children have?"])  # loads the model
    load_s = time.perf_counter() - started
    times = []
    for question in questions:
        t = time.perf_counter()
        embedder.embed_queries([question])
        times.append((time.perf_counter() - t) * 1000)
    del embedder
    gc.collect()  # the server started next should not share the cores or memory with this copy
    return {"load_s": round(load_s, 2), "p50_ms": round(percentile(times, 0.5), 1), "p95_ms": round(percentile(times, 0.95), 1)}


def start_server(env: dict, port: int, log: Path, timeout: float, workers: int = 1) -> tuple[subprocess.Popen, float]:
    """`policyqa serve` and the seconds from its start to GET /v1/ready == 200 (from the
    first worker to answer; each of several workers warms up on its own)."""
    handle = log.open("wb")
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "policyqa.cli", "serve", "--host", HOST, "--port", str(port), "--workers", str(workers)],
        env=env,
        cwd=REPO,
        stdout=handle,
        stderr=subprocess.STDOUT,
    )
    handle.close()  # the child holds its own descriptor
    try:
        detail = "no answer"
        while time.perf_counter() - started < timeout:
            try:
                response = httpx.get(f"http://{HOST}:{port}/v1/ready", timeout=2)
                if response.status_code == 200:
                    return proc, time.perf_counter() - started
                detail = response.json().get("detail", "") or response.text
                if not detail.startswith(LOADING):  # it has given up loading: waiting will not help
                    raise RuntimeError(f"the server is not ready: {detail}\n{tail(log)}")
            except (httpx.HTTPError, ValueError):
                pass
            if proc.poll() is not None:
                raise RuntimeError(f"the server stopped (exit {proc.returncode}): {tail(log)}")
            time.sleep(0.1)
        raise RuntimeError(f"the server was not ready in {timeout:.0f} s ({detail}): {tail(log)}")
    except BaseException:
        stop(proc)
        raise


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        for children in Path(f"/proc/{current}/task").glob("*/children"):
            try:
                todo.extend(int(c) for c in children.read_text().split())
            except OSError:
                pass
    return found


def memory_mb(pid: int) -> dict:
    """VmRSS and VmHWM (peak) of the process and its children, summed, in MB."""
    totals = {"VmRSS": 0, "VmHWM": 0}
    for p in descendants(pid):
        try:
            status = Path(f"/proc/{p}/status").read_text()
        except OSError:
            continue
        for key in totals:
            match = re.search(rf"^{key}:\s*(\d+) kB", status, re.M)
            totals[key] += int(match.group(1)) if match else 0
    return {"rss_mb": round(totals["VmRSS"] / 1024, 1), "peak_rss_mb": round(totals["VmHWM"] / 1024, 1), "processes": len(descendants(pid))}


class Texts:
    """The questions in turn, thread-safe; from the second pass on, with " #N" appended
    (unless `repeat`), so that no text reaches the server's query cache twice."""

    def __init__(self, questions: list[str], repeat: bool) -> None:
        self.questions, self.repeat = questions, repeat
        self._count = itertools.count()  # next() on it is atomic under the GIL

    def next(self) -> str:
        n = next(self._count)
        question, round_ = self.questions[n % len(self.questions)], n // len(self.questions)
        return question if round_ == 0 or self.repeat else f"{question} #{round_}"


def request(client: httpx.Client, base: str, route: str, question: str) -> tuple[float, str]:
    """(ms, outcome): outcome is "ok" for a 200, else the status or the exception's name."""
    t = time.perf_counter()
    try:
        if route == "search":
            response = client.get(f"{base}/v1/search", params={"q": question, "k": 5})
        else:
            response = client.post(f"{base}/v1/ask", json={"question": question})
        outcome = "ok" if response.status_code == 200 else str(response.status_code)
    except httpx.HTTPError as exc:
        outcome = type(exc).__name__
    return (time.perf_counter() - t) * 1000, outcome


def summary(results: list[tuple[float, str]], seconds: float) -> dict:
    ok = [ms for ms, outcome in results if outcome == "ok"]
    errors = Counter(outcome for _, outcome in results if outcome != "ok")
    return {
        "requests": len(results),
        "ok": len(ok),
        "requests_per_s": round(len(ok) / seconds, 2) if seconds > 0 else None,
        "p50_ms": round(percentile(ok, 0.5), 1) if ok else None,
        "p95_ms": round(percentile(ok, 0.95), 1) if ok else None,
        "errors": sum(errors.values()),
        "error_kinds": dict(errors),
    }


def sequential(base: str, route: str, texts: Texts) -> dict:
    with httpx.Client(timeout=120) as client:
        started = time.perf_counter()
        results = [request(client, base, route, texts.next()) for _ in texts.questions]
        return summary(results, time.perf_counter() - started)


def concurrent(base: str, route: str, texts: Texts, clients: int, seconds: float) -> dict:
    """`clients` threads, each with its own connection, asking the next text in turn until
    `seconds` have passed; a request under way then is finished and counted."""
    results: list[tuple[float, str]] = []
    lock = threading.Lock()
    gate = threading.Barrier(clients + 1)
    deadline = [0.0]

    def work() -> None:
        mine = []
        with httpx.Client(timeout=120) as client:
            gate.wait()
            while time.perf_counter() < deadline[0]:
                mine.append(request(client, base, route, texts.next()))
        with lock:
            results.extend(mine)

    threads = [threading.Thread(target=work, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    started = time.perf_counter()
    deadline[0] = started + seconds
    gate.wait()
    for thread in threads:
        thread.join()
    return {"clients": clients, **summary(results, time.perf_counter() - started)}


def serve_and_load(env: dict, tmp: Path, questions: list[str], args: argparse.Namespace) -> dict:
    port = free_port()
    base = f"http://{HOST}:{port}"
    texts = Texts(questions, args.repeat)
    proc, ready_s = start_server(env, port, tmp / "serve.log", args.ready_timeout)
    try:
        with httpx.Client(timeout=120) as client:
            first_ms, first = request(client, base, "search", texts.next())
            served = client.get(f"{base}/v1/ready").json().get("embedding_model", "")
        report: dict = {"start_to_ready_s": round(ready_s, 2), "first_search_ms": round(first_ms, 1), "first_search": first}
        report["served_embedding_model"] = served
        for route in ("search", "ask"):
            say(f"  {route}: 1 client over {len(questions)} questions, then {args.clients} clients for {args.seconds:g} s")
            report[f"{route}_sequential"] = sequential(base, route, texts)
            report[f"{route}_concurrent"] = concurrent(base, route, texts, args.clients, args.seconds)
        if proc.poll() is not None:
            raise RuntimeError(f"the server stopped during the load runs (exit {proc.returncode}): {tail(tmp / 'serve.log')}")
        report["memory"] = memory_mb(proc.pid)
        return report
    finally:
        stop(proc)


def quality(env: dict, tmp: Path, question_files: dict[str, Path]) -> dict:
    report = {}
    for label, path in question_files.items():
        out = tmp / f"eval-{label}.json"
        with out.open("wb") as handle, (tmp / f"eval-{label}.log").open("wb") as log:
            args = ["eval", "--questions", str(path), "--systems", "hybrid", "--mode", "extractive", "--json"]
            done = subprocess.run([sys.executable, "-m", "policyqa.cli", *args], env=env, cwd=REPO, stdout=handle, stderr=log)
        if done.returncode != 0:
            raise RuntimeError(f"`policyqa eval` on {path} failed (exit {done.returncode}): {tail(tmp / f'eval-{label}.log')}")
        result = json.loads(out.read_text(encoding="utf-8"))
        overall = result["systems"]["hybrid"]["slices"]["overall"]
        answers = result["answers"]["metrics"]
        report[label] = {
            "questions": result["questions"],
            "answerable": overall["n"],
            "recall@5": overall["recall@5"],
            "mrr@10": overall["mrr@10"],
            "citation_precision": answers["citation_precision"],
        }
    return report


def measure(name: str, settings: Settings, questions: list[str], question_files: dict[str, Path], args: argparse.Namespace) -> dict:
    cold = name not in args.skip_cold_build
    with tempfile.TemporaryDirectory(prefix=f"policyqa-encoders-{name}-") as folder:
        tmp = Path(folder)
        cache = layout(tmp, warm=not cold)
        try:
            env = environment(settings, tmp, cache, name)
            report: dict = {}
            say(f"{name}: index build ({'cold' if cold else 'warm cache'})")
            build_s = round(cli(["index", "build"], env, tmp / "build.log"), 1)
            report["cold_build_s"] = build_s if cold else "skipped"
            if not cold:
                report["warm_build_s"] = build_s
            built = current_folder(tmp / "index")
            manifest = read_manifest(built)
            report["index"] = {
                "passages": manifest.passages,
                "units": manifest.units,
                "embedding_model": manifest.embedding_model,
                "mb": round(sum(f.stat().st_size for f in built.rglob("*") if f.is_file()) / 1e6, 1),
            }
            say(f"{name}: query latency in this process")
            report["query"] = query_latency(settings, name, questions)
            say(f"{name}: server")
            report["http"] = serve_and_load(env, tmp, questions, args)
            say(f"{name}: quality")
            report["quality"] = quality(env, tmp, question_files)
            return report
        finally:
            for link in (cache / "models", cache / "embeddings"):
                if link.is_symlink():
                    link.unlink()  # never let the clean-up reach the real cache


def fmt(value) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def table(report: dict) -> str:
    m = report["machine"]
    lines = [
        f"Machine: {m['cpu']}, {m['cores']} cores ({m['cores_usable']} usable), flags: {', '.join(m['flags']) or 'none of note'}; "
        + ", ".join(f"{k} {v}" for k, v in m["versions"].items()),
        f"{report['questions']} questions ({report['question_file']}); "
        f"{report['clients']} concurrent clients for {report['seconds']:g} s per route; "
        + ("questions repeated as they are (server cache hits)." if report["repeat"] else "every text sent to a server new to it."),
        "",
    ]
    names = list(report["encoders"])

    def get(r: dict, *path):
        for key in path:
            if not isinstance(r, dict) or key not in r:
                return None
            r = r[key]
        return r

    def pair(r: dict, *path) -> str:
        return f"{fmt(get(r, *path, 'p50_ms'))} / {fmt(get(r, *path, 'p95_ms'))}"

    def errors(r: dict, *path) -> str:
        kinds = get(r, *path, "error_kinds")
        n = get(r, *path, "errors")
        return fmt(n) + (f" ({', '.join(f'{k}: {v}' for k, v in kinds.items())})" if kinds else "")

    rows = [
        ("index passages / units", lambda r: f"{fmt(get(r, 'index', 'passages'))} / {fmt(get(r, 'index', 'units'))}"),
        ("index MB", lambda r: fmt(get(r, "index", "mb"))),
        (
            "embedding model (index / server)",
            lambda r: f"{fmt(get(r, 'index', 'embedding_model'))} / {fmt(get(r, 'http', 'served_embedding_model'))}",
        ),
        ("cold build s", lambda r: fmt(get(r, "cold_build_s"))),
        ("warm build s", lambda r: fmt(get(r, "warm_build_s"))),
        ("model load + first query s (in process)", lambda r: fmt(get(r, "query", "load_s"))),
        ("query embed p50 / p95 ms (in process)", lambda r: pair(r, "query")),
        ("server start-to-ready s", lambda r: fmt(get(r, "http", "start_to_ready_s"))),
        ("first /v1/search after ready ms", lambda r: f"{fmt(get(r, 'http', 'first_search_ms'))} ({fmt(get(r, 'http', 'first_search'))})"),
    ]
    for route in ("search", "ask"):
        label = "GET /v1/search" if route == "search" else "POST /v1/ask"
        for kind, who in (("sequential", "1 client"), ("concurrent", f"{report['clients']} clients")):
            key = f"{route}_{kind}"
            rows += [
                (f"{label}, {who}: p50 / p95 ms", lambda r, k=key: pair(r, "http", k)),
                (f"{label}, {who}: requests/s", lambda r, k=key: fmt(get(r, "http", k, "requests_per_s"))),
                (f"{label}, {who}: errors", lambda r, k=key: errors(r, "http", k)),
            ]

    def memory(r: dict) -> str:
        return f"{fmt(get(r, 'http', 'memory', 'rss_mb'))} ({fmt(get(r, 'http', 'memory', 'peak_rss_mb'))})"

    rows.append(("server RSS MB after load (peak)", memory))
    for label in report["quality_sets"]:
        rows += [
            (f"{label}: recall@5 (hybrid)", lambda r, s=label: fmt(get(r, "quality", s, "recall@5"))),
            (f"{label}: MRR@10 (hybrid)", lambda r, s=label: fmt(get(r, "quality", s, "mrr@10"))),
            (f"{label}: citation precision (extractive)", lambda r, s=label: fmt(get(r, "quality", s, "citation_precision"))),
        ]
    if any("error" in r for r in report["encoders"].values()):
        rows.append(("failed", lambda r: r.get("error", "").splitlines()[0] if r.get("error") else ""))
    out = ["| | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
    for label, cell in rows:
        out.append(f"| {label} | " + " | ".join(cell(report["encoders"][n]).replace("|", "\\|") for n in names) + " |")
    return "\n".join(lines + out)


def names(value: str) -> list[str]:
    return [n.strip() for n in value.split(",") if n.strip()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--encoders", type=names, default=names("embeddinggemma,embeddinggemma-onnx,embeddinggemma-int8"))
    parser.add_argument("--skip-cold-build", type=names, default=[], metavar="ENCODER[,..]", help="reuse the warm embeddings cache")
    parser.add_argument("--seconds", type=float, default=20, help="duration of each concurrent run")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--repeat", action="store_true", help="send the questions as they are on every pass (server cache hits)")
    parser.add_argument("--questions", type=Path, default=REPO / "eval/questions/gold.jsonl", help="for latency and load")
    parser.add_argument("--gold", type=Path, default=REPO / "eval/questions/gold.jsonl")
    parser.add_argument("--heldout", type=Path, default=REPO / "eval/questions/heldout.jsonl")
    parser.add_argument("--ready-timeout", type=float, default=900, help="seconds to wait for /v1/ready")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--out", type=Path, help="also write the report here as JSON")
    args = parser.parse_args()
    unknown = set(args.skip_cold_build) - set(args.encoders)
    if unknown:
        parser.error(f"--skip-cold-build names encoders not in --encoders: {', '.join(sorted(unknown))}")
    settings = Settings.from_env()
    questions = [q.question for q in load_questions(args.questions)]
    question_files = {"gold": args.gold, "heldout": args.heldout}
    check_weights(settings, args.encoders)
    report: dict = {
        "machine": machine(),
        "question_file": str(args.questions),
        "questions": len(questions),
        "clients": args.clients,
        "seconds": args.seconds,
        "repeat": args.repeat,
        "quality_sets": list(question_files),
        "encoders": {},
    }
    for name in args.encoders:
        try:
            report["encoders"][name] = measure(name, settings, questions, question_files, args)
        except Exception as exc:  # noted in the report; the other encoders are still measured
            say(f"{name} failed: {exc}")
            report["encoders"][name] = {"error": f"{type(exc).__name__}: {exc}"}
    text = json.dumps(report, indent=2, ensure_ascii=False)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    print(text if args.json else table(report))
    if any("error" in r for r in report["encoders"].values()):
        sys.exit(1)


if __name__ == "__main__":
    main()
