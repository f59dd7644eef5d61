"""Loaders: read a file into pages of raw text, reporting unreadable files clearly.

Structure and cleaning come later; a loader only turns bytes into text, page by page.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import frontmatter
import pypdf
from pypdf.errors import PdfReadError

from policyqa.types import Page

# pypdf logs every recoverable oddity of a damaged file; the ingestion report says what matters.
logging.getLogger("pypdf").setLevel(logging.ERROR)


class LoadError(Exception):
    """A file that cannot be read; the message says why in words a user can act on."""


@dataclass(frozen=True)
class RawText:
    pages: tuple[Page, ...]
    metadata: dict = field(default_factory=dict)


def read_pdf(path: Path) -> RawText:
    try:
        reader = pypdf.PdfReader(path)
        if reader.is_encrypted:
            # Many official PDFs carry an owner password only and open with an empty one.
            try:
                opened = reader.decrypt("")
            except Exception as exc:  # pypdf raises several types for unsupported ciphers
                raise LoadError(f"encrypted PDF that cannot be opened ({exc})") from None
            if not opened:
                raise LoadError("encrypted PDF: a password is needed to read it")
        texts = [page.extract_text() or "" for page in reader.pages]
    except LoadError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise LoadError(f"corrupt or unreadable PDF ({type(exc).__name__}: {exc})") from None
    if not texts:
        raise LoadError("the PDF has no pages")
    if not any(t.strip() for t in texts):
        raise LoadError(f"no text layer on any of its {len(texts)} page(s): an image-only (scanned) PDF needs OCR first")
    meta = reader.metadata or {}
    title = str(meta.get("/Title", "") or "")
    return RawText(tuple(Page(i, t) for i, t in enumerate(texts, 1)), {"title": title} if title else {})


def read_text(path: Path) -> str:
    data = path.read_bytes()
    if not data.strip():
        raise LoadError("the file is empty")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LoadError(f"not UTF-8 text (invalid byte at offset {exc.start})") from None


def read_plain(path: Path) -> RawText:
    return RawText((Page(1, read_text(path)),))


def read_markdown(path: Path) -> RawText:
    text = read_text(path)
    try:
        post = frontmatter.loads(text)
    except Exception as exc:  # a broken YAML header should not lose the body
        raise LoadError(f"unreadable front matter ({exc})") from None
    meta = {k: str(v) for k, v in post.metadata.items()}
    return RawText((Page(1, post.content),), meta)


READERS = {"pdf": read_pdf, "txt": read_plain, "md": read_markdown}


def read(path: Path, fmt: str) -> RawText:
    if fmt not in READERS:
        raise LoadError(f"no page loader for '.{fmt}' files")
    if not path.is_file():
        raise LoadError(f"file not found: {path}")
    return READERS[fmt](path)
