"""`policyqa relevance fit`: fit the relevance model on development questions."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer

from policyqa import pipeline
from policyqa.cli.common import embedder, err, fail, load_settings
from policyqa.evaluation.fit import MAX_FALSE_DECLINES, TARGET_PRECISION
from policyqa.index.store import IndexProblem

relevance_app = typer.Typer(help="The model that decides which passage states the answer, and when to decline.", no_args_is_help=True)


@relevance_app.command("fit")
def fit(
    questions: Annotated[list[Path], typer.Option("--questions", help="development question file(s); never the sealed part")],
    also_train: Annotated[
        Optional[list[Path]], typer.Option("--also-train", help="questions that only add training examples (the gold set)")
    ] = None,
    target: Annotated[float, typer.Option(help="the precision the decline threshold is set for (out of fold)")] = TARGET_PRECISION,
    max_false_declines: Annotated[
        float, typer.Option(help="the largest share of answerable development questions the threshold may decline (out of fold)")
    ] = MAX_FALSE_DECLINES,
    out_path: Annotated[Optional[Path], typer.Option("--out", help="where to write the model (default: the packaged one)")] = None,
    judged: Annotated[
        Optional[Path], typer.Option("--judged", help="the judge's verdicts on the development candidates (policyqa relevance judge)")
    ] = None,
) -> None:
    """Fit the relevance model by cross-validation over paraphrase families and save it."""
    from policyqa.answer.relevance import MODEL_PATH
    from policyqa.evaluation import fit as fitting
    from policyqa.evaluation.questions import QuestionFormatError

    if not 0.5 <= target < 1.0:
        fail("--target must be at least 0.5 and under 1")
    for path in [*questions, *(also_train or [])]:
        if not path.is_file():
            fail(f"no such question file: {path}")
        if "sealed" in path.name:
            fail(f"{path}: the sealed part is scored once, never fitted on")
    if judged is not None and not judged.is_file():
        fail(f"no such judgements file: {judged}")
    settings = load_settings()
    chosen = embedder(settings)
    try:
        retriever = pipeline.retriever(settings, chosen)
        model = fitting.fit(
            list(questions),
            retriever,
            target,
            say=lambda m: err.print(m),
            also_train=list(also_train or []),
            max_false_declines=max_false_declines,
            judgements=judged,
        )
    except (IndexProblem, QuestionFormatError, fitting.FitError) as exc:
        fail(str(exc))
        raise
    path = out_path or MODEL_PATH
    model.save(path)
    err.print(f"wrote {path}")
    print(json.dumps(model.cross_validation, ensure_ascii=False))


@relevance_app.command("judge")
def judge(
    questions: Annotated[Path, typer.Option("--questions", help="development questions; never the sealed part")],
    out_path: Annotated[Path, typer.Option("--out", help="the JSONL file to write (extended when it exists: judged pairs are kept)")],
) -> None:
    """Have the model at POLICYQA_LLM_BASE_URL judge the first candidates of every question, for
    fitting the careful mode (`policyqa relevance fit --judged`). Minutes per ten questions on a CPU."""
    from policyqa.answer.front import Asked, Front, judge_candidate
    from policyqa.answer.generative import LLMSettings
    from policyqa.answer.judge import Judge, JudgeUnavailable
    from policyqa.answer.relevance import AnswerSettings, rank
    from policyqa.evaluation.fit import CAREFUL_CANDIDATES, load_judgements
    from policyqa.evaluation.questions import QuestionFormatError, load_questions

    if "sealed" in questions.name:
        fail(f"{questions}: the sealed part is scored once, never fitted on")
    settings = load_settings()
    llm = LLMSettings.from_env()
    judge_ = Judge(llm.base_url, llm.model, llm.api_key)
    try:
        front = Front(pipeline.retriever(settings, embedder(settings)), AnswerSettings(), "extractive")
        asked_all = load_questions(questions)
    except (IndexProblem, QuestionFormatError) as exc:
        fail(str(exc))
        raise
    done = load_judgements(out_path) if out_path.is_file() else {}
    written = 0
    with out_path.open("a", encoding="utf-8") as sink:
        for q in asked_all:
            asked = front.read(q.question, q.lang if q.lang in ("en", "fr") else None)
            if not isinstance(asked, Asked):
                continue
            understood, result, named = front.candidates(asked, AnswerSettings.candidates)
            if understood.declines:
                continue
            pool = list(result.hits[: AnswerSettings.candidates])
            ranked, _ = rank(pool, asked.question, asked.lang, named, bool(understood.named), front.settings.model)
            head = [s.hit for s in ranked[: max(CAREFUL_CANDIDATES)] if (q.question, s.hit.passage.id) not in done]
            try:
                verdicts = judge_.judge(asked.question, [judge_candidate(h, front.retriever.index.documents) for h in head])
            except JudgeUnavailable as exc:
                fail(f"{exc}: start one with `policyqa llm serve`", 1)
                raise
            for v in verdicts:
                row = {"question_id": q.id, "question": q.question, "passage_id": v.passage_id, "log_odds": round(v.log_odds, 4)}
                sink.write(json.dumps(row, ensure_ascii=False) + "\n")
                written += 1
            sink.flush()
    err.print(f"judged {written} candidates into {out_path}")
