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
        )
    except (IndexProblem, QuestionFormatError) as exc:
        fail(str(exc))
        raise
    path = out_path or MODEL_PATH
    model.save(path)
    err.print(f"wrote {path}")
    print(json.dumps(model.cross_validation, ensure_ascii=False))
