"""Writing a handout to disk: PDF and Markdown side by side (and JSON when asked), all or
nothing.

Each file is written to a temporary file in the target folder and renamed only when every
file has been written, so a full disk or a forbidden folder never leaves half a handout.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from policyqa.training.handout import Handout
from policyqa.training.render_md import render_markdown
from policyqa.training.render_pdf import render_pdf

SUFFIXES = (".pdf", ".md", ".json")


class OutputError(OSError):
    """The handout cannot be written where asked; the message names the path and why."""


def targets(out: Path, with_json: bool = False) -> list[Path]:
    """`x.pdf`, `x.md` or `x` all mean x.pdf + x.md (+ x.json): one name for the set."""
    stem = out.with_suffix("") if out.suffix.lower() in SUFFIXES else out
    names = [stem.with_name(stem.name + ".pdf"), stem.with_name(stem.name + ".md")]
    return names + [stem.with_name(stem.name + ".json")] if with_json else names


def write_handout(handout: Handout, out: Path, data: dict | None = None) -> list[Path]:
    paths = targets(Path(out), data is not None)
    contents: list[bytes] = [render_pdf(handout), render_markdown(handout).encode("utf-8")]
    if data is not None:
        contents.append((json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))
    folder = paths[0].parent
    if not folder.is_dir():
        raise OutputError(f"cannot write {paths[0]}: the folder {folder} does not exist")
    temporaries: list[Path] = []
    try:
        for path, content in zip(paths, contents):
            if path.is_dir():
                raise OutputError(f"cannot write {path}: it is a folder")
            fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=folder)
            temporaries.append(Path(name))
            with os.fdopen(fd, "wb") as handle:
                handle.write(content)
        for temporary, path in zip(temporaries, paths):
            os.replace(temporary, path)
    except OSError as exc:
        for temporary in temporaries:
            temporary.unlink(missing_ok=True)
        if isinstance(exc, OutputError):
            raise
        raise OutputError(f"cannot write {paths[0]}: {exc.strerror or exc}") from exc
    return paths
