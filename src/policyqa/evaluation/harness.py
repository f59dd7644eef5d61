"""The evaluation harness: builds the systems to compare over one index and runs them."""

from __future__ import annotations

import json
import tomllib
from collections.abc import Callable
from dataclasses import asdict, replace
from pathlib import Path

from policyqa.corpus import catalog
from policyqa.evaluation import baseline
from policyqa.evaluation.metrics import Candidate, Context, System, evaluate
from policyqa.evaluation.questions import Question, load_questions
from policyqa.index.embedder import Embedder
from policyqa.index.embedding_cache import CachedEmbedder, EmbeddingCache
from policyqa.index.store import Index
from policyqa.retrieve.retriever import Retriever, Weights
from policyqa.settings import Settings

SYSTEMS = ("hybrid", "dense", "bm25", "langchain")
WEIGHTS = {
    "hybrid": Weights(),
    "dense": Weights(sparse_same=0.0, sparse_other=0.0, mention=0.0, units=0.0),
    "bm25": Weights(dense=0.0, sparse_same=1.0, sparse_other=1.0, mention=0.0, units=0.0),
}


def context_for(questions: list[Question], index: Index) -> Context:
    langs: dict[str, set[str]] = {}
    families: dict[str, str] = {}
    totals: dict[str, int] = {}
    for q in questions:
        hits = [p for p in index.passages if q.is_relevant(p.text)]
        langs[q.id] = {p.lang for p in hits}
        if hits and hits[0].doc_id in index.documents:
            families[q.id] = index.documents[hits[0].doc_id].family
        totals[q.id] = len({p.parallel_key or p.id for p in hits})
    return Context(langs, families, totals)


def retriever_system(retriever: Retriever) -> System:
    def run(q: Question) -> list[Candidate]:
        result = retriever.search(q.question, k=10, lang=q.lang if q.lang in ("en", "fr") else None)
        return [
            Candidate(
                (h.passage.text,) + tuple(o.text for o in h.other_versions),
                h.passage.doc_id,
                h.passage.lang,
                f"{h.passage.doc_id} {h.passage.locator}",
            )
            for h in result.hits
        ]

    return run


def langchain_system(settings: Settings, embedder: Embedder, collection: str) -> System:
    docs = catalog.select(catalog.load_catalog(settings.catalogs), None if collection == "all" else collection)
    items = baseline.chunks(docs, settings.corpus_roots)
    cached = CachedEmbedder(embedder, EmbeddingCache.for_embedder(embedder, settings.cache_dir / "embeddings"))
    quick = baseline.QuickStartIndex(items, cached.embed_documents, lambda q: embedder.embed_queries([q])[0])

    def run(q: Question) -> list[Candidate]:
        return [Candidate((c.text,), c.doc_id, c.lang, f"{c.doc_id} chunk") for c in quick.search(q.question, 10)]

    return run


def run(
    settings: Settings,
    embedder: Embedder,
    index: Index,
    question_files: list[Path],
    systems: tuple[str, ...] = SYSTEMS,
    say: Callable[[str], None] = lambda _m: None,
    answer_mode: str | None = None,
    careful: bool = False,
) -> dict:
    questions: list[Question] = []
    for path in question_files:
        loaded = load_questions(path)
        prefix = f"{path.stem}:" if len(question_files) > 1 else ""
        questions += [replace(q, id=prefix + q.id) for q in loaded]
    embed_query = lambda q: embedder.embed_queries([q])[0]  # noqa: E731
    built: dict[str, System] = {}
    for name in systems:
        if name in WEIGHTS:
            built[name] = retriever_system(Retriever(index, embed_query, WEIGHTS[name]))
        elif name == "langchain":
            say("building the LangChain quick-start baseline (embeddings are cached after the first run)")
            built[name] = langchain_system(settings, embedder, index.manifest.collection)
        else:
            raise ValueError(f"unknown system '{name}': choose from {', '.join(SYSTEMS)}")
    report = evaluate(questions, built, context_for(questions, index))
    if answer_mode is not None:
        from policyqa.answer.factory import make_answerer
        from policyqa.evaluation.metrics import answer_metrics, judge_answer, risk_coverage

        answerer = make_answerer(answer_mode, Retriever(index, embed_query, WEIGHTS["hybrid"]), careful=careful)
        by_id = {p.id: p for p in index.passages}
        rows = [judge_answer(q, lambda q: answerer.answer(q.question), by_id) for q in questions]
        context = context_for(questions, index)
        groups: dict[str, list] = {"overall": rows}
        for q, r in zip(questions, rows):
            groups.setdefault(f"lang:{r.lang}", []).append(r)
            langs = context.langs.get(q.id, set())
            if langs:
                groups.setdefault("cross-lingual" if q.lang not in langs else "same-language", []).append(r)
            if context.families.get(q.id):
                groups.setdefault(f"family:{context.families[q.id]}", []).append(r)
        report["answers"] = {
            "mode": answer_mode,
            "careful": careful,
            "metrics": answer_metrics(rows),
            "risk_coverage": risk_coverage(rows),
            "slices": {name: answer_metrics(items) for name, items in sorted(groups.items())},
            "per_question": [asdict(r) for r in rows],
        }
    report["question_files"] = [str(p) for p in question_files]
    report["index"] = {
        "build_id": index.manifest.build_id,
        "passages": index.manifest.passages,
        "embedding_model": index.manifest.embedding_model,
    }
    return report


def markdown(report: dict) -> str:
    lines = [f"# Retrieval evaluation ({report['answerable']} answerable of {report['questions']} questions)", ""]
    names = list(report["systems"])
    metrics = ["recall@1", "recall@5", "recall@10", "mrr@10", "ndcg@10"]
    slice_names = list(next(iter(report["systems"].values()))["slices"])
    for slice_name in slice_names:
        lines += [
            f"## {slice_name}",
            "",
            "| system | n | " + " | ".join(metrics) + " | p50 ms | p95 ms |",
            "|---|---|" + "---|" * (len(metrics) + 2),
        ]
        for name in names:
            s = report["systems"][name]["slices"].get(slice_name, {})
            if not s.get("n"):
                continue
            lines.append(
                f"| {name} | {s['n']} | "
                + " | ".join(f"{s[m]:.3f}" for m in metrics)
                + f" | {s['latency_p50_ms']} | {s['latency_p95_ms']} |"
            )
        lines.append("")
    if "answers" in report:
        slices_ = report["answers"]["slices"]
        keys = [
            "n",
            "citation_precision",
            "evidence_citation_rate",
            "quoted_evidence_rate",
            "nearby_evidence_rate",
            "abstention_accuracy",
            "false_abstentions",
            "language_accuracy",
            "quotes_verbatim",
            "paraphrase_consistency",
            "latency_p50_ms",
            "latency_p95_ms",
        ]
        lines += [f"# Answers ({report['answers']['mode']})", "", "| slice | " + " | ".join(keys) + " |", "|---|" + "---|" * len(keys)]
        for name in sorted(slices_, key=lambda n: (n != "overall", n)):
            lines.append(f"| {name} | " + " | ".join(str(slices_[name].get(k)) for k in keys) + " |")
        lines.append("")
    return "\n".join(lines)


def save(report: dict, folder: Path) -> tuple[Path, Path, Path]:
    from policyqa.evaluation.chart import retrieval_chart, risk_coverage_chart

    folder.mkdir(parents=True, exist_ok=True)
    as_json, as_md = folder / "retrieval.json", folder / "retrieval.md"
    chart = retrieval_chart(report, folder / "retrieval.png")
    if report.get("answers", {}).get("risk_coverage"):
        risk_coverage_chart(report["answers"]["risk_coverage"], folder / "risk_coverage.png")
    as_json.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    as_md.write_text(markdown(report).replace("\n", f"\n\n![policyqa against baselines]({chart.name})\n", 1), encoding="utf-8")
    return as_json, as_md, chart


def load_floors(path: Path) -> dict[tuple[str, str], dict[str, float]]:
    """{(system, slice): {metric: floor}} from a thresholds file ("[hybrid.overall]")."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    floors: dict[tuple[str, str], dict[str, float]] = {}
    for system, tables in data.items():
        for slice_name, metrics in tables.items():
            floors[(system, slice_name)] = {m: float(v) for m, v in metrics.items()}
    return floors


# Metrics where lower is better: their threshold is a ceiling.
CEILINGS = {"false_abstentions", "latency_p50_ms", "latency_p95_ms"}


def check_floors(report: dict, floors: dict[tuple[str, str], dict[str, float]]) -> list[str]:
    """Every metric on the wrong side of its threshold, as a readable line; an empty list passes.

    Tables name a retrieval system ("[hybrid.overall]") or the answers ("[answers.overall]").
    """
    failures: list[str] = []
    for (system, slice_name), metrics in floors.items():
        if system == "answers":
            measured = report.get("answers", {}).get("slices", {}).get(slice_name)
        else:
            measured = report["systems"].get(system, {}).get("slices", {}).get(slice_name)
        if measured is None:
            failures.append(f"{system} / {slice_name}: not measured (system not run or slice empty)")
            continue
        for metric, floor in metrics.items():
            value = measured.get(metric)
            if metric in CEILINGS:
                if value is None or value > floor:
                    failures.append(f"{system} / {slice_name} / {metric}: {value} > ceiling {floor}")
            elif value is None or value < floor:
                failures.append(f"{system} / {slice_name} / {metric}: {value} < floor {floor}")
    return failures
