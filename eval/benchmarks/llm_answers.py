"""The generative mode against a running model server (default: `policyqa llm serve`, the
Qwen2.5 1.5B model): time to first token, total time, and the answer metrics.

    .venv/bin/python eval/benchmarks/llm_answers.py [--limit 20] [--json]

Questions are taken in file order from eval/questions/gold.jsonl (every fifth question, so
both languages, cross-lingual and unanswerable ones are represented).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

from policyqa import pipeline
from policyqa.answer.factory import make_answerer
from policyqa.evaluation.metrics import answer_metrics, judge_answer
from policyqa.evaluation.questions import load_questions
from policyqa.settings import Settings


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--limit", type=int, default=20)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    settings = Settings.from_env()
    embedder = pipeline.make_embedder(settings)
    retriever = pipeline.retriever(settings, embedder)
    answerer = make_answerer("llm", retriever)
    questions = load_questions("eval/questions/gold.jsonl")[::5][: args.limit]
    by_id = {p.id: p for p in retriever.index.passages}
    rows, first, total = [], [], []
    for q in questions:
        started = time.perf_counter()
        answer_holder = {}

        def run(q=q, holder=answer_holder):
            answer = answerer.answer(q.question)
            holder["a"] = answer
            return answer

        rows.append(judge_answer(q, lambda _q: run(), by_id))
        total.append((time.perf_counter() - started) * 1000)
        timings = dict(answer_holder["a"].timings_ms)
        if timings.get("first_token"):
            first.append(timings["first_token"])
    report = {
        "questions": len(rows),
        "model": answerer.settings.model,
        "base_url": answerer.settings.base_url,
        "metrics": answer_metrics(rows),
        "first_token_ms_p50": round(statistics.median(first), 1) if first else None,
        "first_token_ms_max": round(max(first), 1) if first else None,
        "total_ms_p50": round(statistics.median(total), 1),
        "total_ms_max": round(max(total), 1),
    }
    print(json.dumps(report) if args.json else json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
