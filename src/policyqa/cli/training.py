"""`policyqa training …`: packs, quizzes and session records for magistrates' training.

Thin wrappers: parse options, call the library, write the files, say where they are.
Exit codes: 0 done (a pack saying the topic is not covered included), 1 no index or model,
2 bad input (language, unknown document, output path that cannot be written).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console

from policyqa import pipeline
from policyqa.cli.common import load_settings
from policyqa.index.store import IndexProblem
from policyqa.index.weights import ModelMissingError
from policyqa.retrieve.filters import QueryError
from policyqa.training.output import OutputError, targets, write_handout
from policyqa.training.render_pdf import FontMissing

training_app = typer.Typer(help="Training material for magistrates' sessions: topic packs, quizzes, session records.", no_args_is_help=True)
err = Console(stderr=True)
out = Console()

Topic = Annotated[str, typer.Option(help='the session\'s theme, e.g. "enfants migrants", "trafficking and smuggling"')]
Lang = Annotated[str, typer.Option(help="language of the material: fr or en")]
Docs = Annotated[Optional[list[str]], typer.Option("--doc", help="only this document id (repeatable)")]
Out = Annotated[Path, typer.Option("--out", help="x.pdf, x.md or x: writes x.pdf and x.md side by side")]


def _fail(message: str, code: int = 2) -> None:
    err.print(f"[bold red]error:[/] {message}")
    raise typer.Exit(code)


def _check(lang: str, out_path: Path, with_json: bool = False, topic: str | None = None) -> None:
    """Refuse bad options before the model is loaded and the corpus searched."""
    if topic is not None and not topic.strip():
        _fail('--topic is empty: name the session\'s theme, e.g. --topic "enfants migrants"')
    if lang not in ("fr", "en"):
        _fail(f"--lang must be 'fr' or 'en', not '{lang}'")
    for path in targets(out_path, with_json):
        folder = path.parent
        if not folder.is_dir():
            _fail(f"cannot write {path}: the folder {folder} does not exist")
        if path.is_dir():
            _fail(f"cannot write {path}: it is a folder")
        if not os.access(folder, os.W_OK):
            _fail(f"cannot write {path}: the folder {folder} is not writable")


def _retriever():
    settings = load_settings()
    try:
        return pipeline.retriever(settings, pipeline.make_embedder(settings))
    except (ModelMissingError, ValueError, IndexProblem) as exc:
        _fail(str(exc), 1)
        raise


def _write(handout, out_path: Path, data: dict | None = None) -> None:
    try:
        paths = write_handout(handout, out_path, data)
    except OutputError as exc:
        _fail(str(exc))
        raise
    except FontMissing as exc:
        _fail(str(exc), 1)
        raise
    for path in paths:
        out.print(f"wrote {path}")


@training_app.command("pack")
def pack_command(topic: Topic, out_path: Out, lang: Lang = "fr", doc: Docs = None) -> None:
    """A handout on a topic: key provisions by instrument, definitions, links, discussion questions."""
    from policyqa.training.layout import pack_handout
    from policyqa.training.pack import build_pack

    _check(lang, out_path, topic=topic)
    try:
        pack = build_pack(_retriever(), topic, lang, tuple(doc or ()))
    except QueryError as exc:
        _fail(str(exc))
        raise
    if not pack.covered:
        err.print(f"[yellow]The corpus does not cover '{topic}': the pack says so and quotes nothing.[/]")
    else:
        err.print(
            f"{len(pack.provisions)} provisions from {len(pack.groups)} instruments, "
            f"{len(pack.definitions)} definitions, {len(pack.links)} links, {len(pack.questions)} questions"
        )
    _write(pack_handout(pack), out_path)


@training_app.command("quiz")
def quiz_command(
    topic: Topic,
    out_path: Out,
    lang: Lang = "fr",
    count: Annotated[int, typer.Option(min=1, max=50, help="number of questions")] = 10,
    seed: Annotated[int, typer.Option(help="the same seed gives the same quiz")] = 0,
    answers: Annotated[bool, typer.Option("--answers/--no-answers", help="include the answer key and sources")] = True,
    as_json: Annotated[bool, typer.Option("--json", help="also write x.json")] = False,
    doc: Docs = None,
) -> None:
    """A multiple-choice quiz whose every item is answered by a cited passage."""
    from policyqa.training.layout import quiz_handout, quiz_json
    from policyqa.training.quiz import build_quiz

    _check(lang, out_path, as_json, topic=topic)
    try:
        quiz = build_quiz(_retriever(), topic, lang, count=count, seed=seed, doc_ids=tuple(doc or ()))
    except QueryError as exc:
        _fail(str(exc))
        raise
    if not quiz.covered:
        err.print(f"[yellow]The corpus does not cover '{topic}': no question was set.[/]")
    else:
        err.print(f"{len(quiz.items)} questions ({', '.join(sorted({i.kind for i in quiz.items}))})")
    _write(quiz_handout(quiz, answers), out_path, quiz_json(quiz, answers) if as_json else None)


@training_app.command("cases")
def cases_command(
    out_path: Out,
    lang: Lang = "fr",
    topic: Annotated[Optional[str], typer.Option(help="only the cases on this topic (smuggling, trafficking, refugees, …)")] = None,
    answers: Annotated[bool, typer.Option("--answers/--no-answers", help="include the answer key and the provisions")] = True,
    as_json: Annotated[bool, typer.Option("--json", help="also write x.json")] = False,
) -> None:
    """Case exercises: fact patterns asking what the law requires, with an answer key citing the
    controlling provisions (each quote checked against the index) and why the distractors fail."""
    from policyqa.index.store import load_index
    from policyqa.training.case_layout import cases_handout, cases_json
    from policyqa.training.cases import case_set, topics
    from policyqa.training.layout import today

    _check(lang, out_path, as_json)
    if topic is not None and topic not in topics(lang):
        _fail(f"no case on '{topic}': topics are {', '.join(topics(lang))}")
    try:
        index = load_index(load_settings().index_dir)
    except IndexProblem as exc:
        _fail(str(exc), 1)
        raise
    cases = case_set(index, lang, topic)
    for problem in cases.problems:
        err.print(f"[yellow]left out {problem}[/]")
    err.print(f"{len(cases.cases)} cases")
    _write(cases_handout(cases, answers, today()), out_path, cases_json(cases, answers) if as_json else None)


@training_app.command("transcript")
def transcript_command(
    conversation: Annotated[str, typer.Option(help="the conversation id (as the chat page and /v1/conversations show it)")],
    out_path: Out,
    lang: Annotated[Optional[str], typer.Option(help="language of the frame: fr or en (default: the answers')")] = None,
    db: Annotated[Optional[Path], typer.Option(help="conversation database (default: POLICYQA_DB or the data folder)")] = None,
) -> None:
    """A session record: every question and answer of a conversation, each citation resolved."""
    from policyqa.conversation.store import ConversationStore, UnknownConversation
    from policyqa.index.store import load_index
    from policyqa.training.transcript import transcript_handout

    if lang is not None and lang not in ("fr", "en"):
        _fail(f"--lang must be 'fr' or 'en', not '{lang}'")
    _check(lang or "fr", out_path)
    settings = load_settings()
    if db is not None and not db.is_file():
        _fail(f"no conversation database at {db}")
    try:
        turns = ConversationStore(db or settings.db).turns(conversation)
    except UnknownConversation as exc:
        _fail(str(exc))
        raise
    # The index, when there is one, gives full titles and the text of passages an answer cited
    # without a quote; the record is still complete without it.
    try:
        index = load_index(settings.index_dir)
        documents, passages = index.documents, {p.id: p for p in index.passages}
    except IndexProblem:
        documents, passages = {}, {}
    handout = transcript_handout([(t.question, t.answer) for t in turns], lang, documents=documents, passages=passages)
    _write(handout, out_path)
