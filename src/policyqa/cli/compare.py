"""`policyqa compare`: two versions of a resolution, paragraph by paragraph."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from policyqa.cli.common import fail, load_settings
from policyqa.compare.report import comparison_data, comparison_text
from policyqa.compare.versions import CannotCompare
from policyqa.compare.versions import compare as compare_versions
from policyqa.index.store import IndexProblem, load_index


def compare(
    old: Annotated[str, typer.Argument(help="a document id or symbol, e.g. A/RES/78/217")],
    new: Annotated[str, typer.Argument(help="the other version, e.g. A/RES/80/218")],
    everything: Annotated[bool, typer.Option("--all", help="also list the paragraphs that did not change")] = False,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """What changed between two versions of a text: paragraphs added, dropped, moved and amended
    (with the words changed), each cited by symbol, paragraph and page."""
    settings = load_settings()
    try:
        comparison = compare_versions(load_index(settings.index_dir), old, new)
    except IndexProblem as exc:
        fail(str(exc), 1)
        raise
    except CannotCompare as exc:
        fail(str(exc), 2)
        raise
    if as_json:
        print(json.dumps(comparison_data(comparison, changes_only=not everything), ensure_ascii=False))
    else:
        print(comparison_text(comparison, changes_only=not everything), end="")
