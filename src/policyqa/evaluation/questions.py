"""The public evaluation question format (one JSON object per line) and its relevance rule.

A passage is relevant to a question when its normalised text contains the normalised
quote of any evidence item; `file` is informative only.
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass
from pathlib import Path

_STRAIGHT = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})


def normalise(text: str) -> str:
    """NFKC, curly quotes and apostrophes made straight, case-folded, whitespace collapsed."""
    return " ".join(unicodedata.normalize("NFKC", text).translate(_STRAIGHT).casefold().split())


@dataclass(frozen=True)
class Evidence:
    file: str
    quote: str


@dataclass(frozen=True)
class Question:
    id: str
    lang: str
    question: str
    answerable: bool
    evidence: tuple[Evidence, ...] = ()
    # Paraphrases of one need share a family ("paraphrase_family", optional in the format): a
    # split keeps a family on one side, and paraphrase consistency is measured over families.
    # (The gold set's own "family" field names a document family, not this.)
    paraphrase_family: str = ""

    def is_relevant(self, passage_text: str) -> bool:
        text = normalise(passage_text)
        return any(normalise(e.quote) in text for e in self.evidence)


class QuestionFormatError(ValueError):
    """A line of a question file that does not follow the format; names file and line."""


def load_questions(path: Path) -> list[Question]:
    out: list[Question] = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        where = f"{Path(path).name} line {number}"
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            raise QuestionFormatError(f"{where}: not JSON ({exc.msg})") from None
        missing = [k for k in ("id", "lang", "question", "answerable") if k not in data]
        if missing:
            raise QuestionFormatError(f"{where}: missing field(s) {', '.join(missing)}")
        evidence = data.get("evidence") or []
        if not isinstance(evidence, list) or any(not isinstance(e, dict) or "quote" not in e for e in evidence):
            raise QuestionFormatError(f"{where}: 'evidence' must be a list of {{file, quote}} objects")
        out.append(
            Question(
                str(data["id"]),
                str(data["lang"]),
                str(data["question"]),
                bool(data["answerable"]),
                tuple(Evidence(str(e.get("file", "")), str(e["quote"])) for e in evidence),
                str(data.get("paraphrase_family") or ""),
            )
        )
    return out
