"""`policyqa search`, `policyqa ask` and `policyqa eval`: questions against the index."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer

from policyqa import pipeline
from policyqa.answer.judge import CarefulNotFitted, JudgeUnavailable
from policyqa.cli.common import embedder, err, fail, load_settings, out
from policyqa.index.store import IndexProblem
from policyqa.retrieve.filters import Filters, QueryError
from policyqa.serialise import answer_json, hit_json


def search(
    query: str,
    k: Annotated[int, typer.Option(help="number of passages")] = 5,
    doc: Annotated[Optional[list[str]], typer.Option(help="only this document (repeatable)")] = None,
    family: Annotated[Optional[list[str]], typer.Option(help="only this family (repeatable)")] = None,
    lang: Annotated[Optional[str], typer.Option(help="the asker's language (default: detected)")] = None,
    only_lang: Annotated[Optional[list[str]], typer.Option(help="only passages in this language")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Find the passages that best match a French or English question."""
    settings = load_settings()
    if lang is not None and lang not in ("en", "fr"):
        fail(f"--lang must be 'en' or 'fr', not '{lang}'")
    chosen = embedder(settings)
    try:
        result = pipeline.retriever(settings, chosen).search(
            query, k=k, lang=lang, filters=Filters(tuple(doc or ()), tuple(family or ()), tuple(only_lang or ()))
        )
    except (IndexProblem, QueryError) as exc:
        fail(str(exc), 1 if isinstance(exc, IndexProblem) else 2)
        raise
    if result.detected and result.detected not in ("en", "fr") and lang is None:
        err.print(
            f"[yellow]The question looks like '{result.detected}': policyqa supports French and English. "
            f"/ La question semble être en '{result.detected}' : policyqa répond en français et en anglais.[/]"
        )
    if as_json:
        print(
            json.dumps(
                {
                    "query": result.query,
                    "lang": result.lang,
                    "detected_lang": result.detected,
                    "embed_ms": round(result.embed_ms, 1),
                    "search_ms": round(result.search_ms, 1),
                    "hits": [hit_json(h) for h in result.hits],
                },
                ensure_ascii=False,
            )
        )
        return
    for h in result.hits:
        other = f" [dim](+{', '.join(p.lang for p in h.other_versions)})[/]" if h.other_versions else ""
        out.print(f"[bold]{h.rank}. {h.passage.doc_id}[/] {h.passage.locator} (p. {h.passage.pages or '-'}) [dim]{h.fused:.4f}[/]{other}")
        out.print(h.passage.text[:600] + ("…" if len(h.passage.text) > 600 else ""))
        out.print()


def eval_(
    questions: Annotated[list[Path], typer.Option("--questions", help="question file(s) in the public JSONL format")],
    systems: Annotated[str, typer.Option(help="comma-separated: hybrid, dense, bm25, langchain")] = "hybrid,dense,bm25",
    mode: Annotated[Optional[str], typer.Option(help="also evaluate answers in this mode (extractive or llm)")] = None,
    out_dir: Annotated[Optional[Path], typer.Option("--out", help="write retrieval.json, .md and .png here")] = None,
    gate: Annotated[Optional[Path], typer.Option(help="fail (exit 1) when a metric is under its floor in this file")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    careful: Annotated[
        bool, typer.Option("--careful", help="answers in the careful mode: the model at POLICYQA_LLM_BASE_URL judges the candidates")
    ] = False,
) -> None:
    """Retrieval quality on any question set: recall@1/5/10, MRR@10, nDCG@10, latency, by slice."""
    from policyqa.evaluation import harness
    from policyqa.evaluation.questions import QuestionFormatError

    settings = load_settings()
    for path in questions:
        if not path.is_file():
            fail(f"no such question file: {path}")
    if careful and mode is None:
        fail("--careful judges answers: give --mode too")
    chosen = embedder(settings)
    try:
        index = pipeline.open_index(settings, chosen)
        report = harness.run(
            settings,
            chosen,
            index,
            list(questions),
            tuple(s.strip() for s in systems.split(",") if s.strip()),
            say=lambda m: err.print(m),
            answer_mode=mode,
            careful=careful,
        )
    except (IndexProblem, QuestionFormatError, ValueError) as exc:
        fail(str(exc))
        raise
    except JudgeUnavailable as exc:
        start = "" if isinstance(exc, CarefulNotFitted) else ": start one with `policyqa llm serve` or set POLICYQA_LLM_BASE_URL"
        fail(f"{exc}{start}", 1)
        raise
    if out_dir is not None:
        paths = harness.save(report, out_dir)
        err.print(f"wrote {', '.join(str(p) for p in paths)}")
    if as_json:
        print(json.dumps(report, ensure_ascii=False))
    else:
        out.print(harness.markdown(report))
    if gate is not None:
        failures = harness.check_floors(report, harness.load_floors(gate))
        for line in failures:
            err.print(f"[bold red]below floor:[/] {line}")
        if failures:
            raise typer.Exit(1)
        err.print(f"[green]all floors in {gate} are met[/]")


def ask(
    question: str,
    mode: Annotated[
        str, typer.Option(help="extractive (default) or llm (an OpenAI-compatible endpoint, see `policyqa llm serve`)")
    ] = "extractive",
    lang: Annotated[Optional[str], typer.Option(help="answer in this language (default: the question's)")] = None,
    doc: Annotated[Optional[list[str]], typer.Option(help="only this document (repeatable)")] = None,
    family: Annotated[Optional[list[str]], typer.Option(help="only this family (repeatable)")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    careful: Annotated[
        bool, typer.Option("--careful", help="the model at POLICYQA_LLM_BASE_URL judges which passage states the answer (slower)")
    ] = False,
) -> None:
    """Answer a French or English question with quotes and numbered citations, or say that
    the corpus does not cover it."""
    from policyqa.answer.factory import MODES, make_answerer

    if mode not in MODES:
        fail(f"--mode must be one of {', '.join(MODES)}, not '{mode}'")
    if lang is not None and lang not in ("en", "fr"):
        fail(f"--lang must be 'en' or 'fr', not '{lang}'")
    settings = load_settings()
    chosen = embedder(settings)
    filters = Filters(tuple(doc or ()), tuple(family or ()))
    unreachable = "no language model answers at POLICYQA_LLM_BASE_URL: start one with `policyqa llm serve` or set POLICYQA_LLM_BASE_URL"
    try:
        answerer = make_answerer(mode, pipeline.retriever(settings, chosen), careful=careful)
    except IndexProblem as exc:
        fail(str(exc), 1)
        raise
    try:
        draft = answerer.prepare(question, lang, filters)
    except (IndexProblem, QueryError) as exc:
        fail(str(exc), 1 if isinstance(exc, IndexProblem) else 2)
        raise
    except answerer.unreachable as exc:
        fail(str(exc) if isinstance(exc, CarefulNotFitted) else unreachable, 1)
        raise
    # A generated answer is shown as it is written; one composed in one step, at the end.
    live = not as_json and draft.ready is None
    try:
        for piece in answerer.stream(draft):
            if live:
                print(piece, end="", flush=True)
    except answerer.unreachable:
        fail(unreachable, 1)
    if live:
        print()
    answer = answerer.finish(draft)
    if as_json:
        print(json.dumps(answer_json(answer), ensure_ascii=False))
        return
    if not live or not answer.answered:
        out.print(answer.text)
    for sentence in answer.unsupported:
        err.print(f"[yellow]unsupported by the sources:[/] {sentence}")
    # Named and located in the answer's language, as its text is (Citation.label, document_name).
    for c in answer.citations:
        name = c.document_name or c.title
        out.print(
            f"[dim]{c.marker} {name}{f' ({c.symbol})' if c.symbol and c.symbol not in name else ''}, {c.label or c.locator}"
            f"{f', p. {c.pages}' if c.pages else ''} — passage {c.passage_id}[/]"
        )
    if answer.answered:
        for c in answer.see_also:
            where = f"{c.document_name or c.title}, {c.label or c.locator}{f', p. {c.pages}' if c.pages else ''}"
            out.print(f"[dim]see also, not cited: {where} — passage {c.passage_id}[/]")
