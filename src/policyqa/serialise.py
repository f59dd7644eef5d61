"""The one way core types become JSON and come back: the index's files, the conversation
store, the CLI's --json output and the API's responses all go through here, so a new field on
a core type reaches all of them at once.

pydantic reads the frozen dataclasses' own annotations, so tuples come back as tuples and a
field added since a file was written takes its default; keys a reader does not know (a newer
writer's) are ignored.
"""

from __future__ import annotations

from functools import cache
from typing import Any, TypeVar

from pydantic import TypeAdapter

from policyqa.types import Answer, Hit, Passage

T = TypeVar("T")


@cache
def _adapter(cls: type) -> TypeAdapter:
    return TypeAdapter(cls)


def to_data(value: Any) -> dict:
    """A core value as JSON-ready data (lists for tuples), every field included."""
    return _adapter(type(value)).dump_python(value, mode="json")


def from_data(cls: type[T], data: dict) -> T:
    """The core value `to_data` made, or an older or newer writer's version of it."""
    return _adapter(cls).validate_python(data)


def passage_json(p: Passage) -> dict:
    return to_data(p)


def hit_json(hit: Hit, digits: int | None = None) -> dict:
    """A search hit as the CLI and the API show it; `digits` rounds its scores."""
    score = (lambda x: x) if digits is None else (lambda x: round(x, digits))  # noqa: E731
    return {
        "rank": hit.rank,
        "score": score(hit.fused),
        "dense": score(hit.dense),
        "sparse": score(hit.sparse),
        "passage": passage_json(hit.passage),
        "other_versions": [passage_json(p) for p in hit.other_versions],
    }


def answer_json(answer: Answer) -> dict:
    """An answer as the CLI and the API show it: timings as a name → milliseconds object."""
    data = to_data(answer)
    data["timings_ms"] = {k: round(v, 1) for k, v in answer.timings_ms}
    return data
