"""Fetching catalogued files that are missing on this machine, into the drop folder.

A file is written to `<path>.part` first and renamed to its catalogued path only once it is
complete and verified, so a reader never sees half a file; an interrupted download resumes
from its `.part` with an HTTP Range request. The sha256 of each file is recorded on its first
fetch in `fetched.json` in the drop folder (the catalogue is tracked; this record is not) and
a later fetch of the same path must match it, or the catalogue's own `sha256`, which wins.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import re
import shutil
import socket
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from policyqa import __version__
from policyqa.corpus import catalog, clean, load
from policyqa.types import Document

RECORD = "fetched.json"
TIMEOUT_S = 60.0
CHUNK = 1 << 16
STATES = ("fetched", "present", "failed")


@dataclass(frozen=True)
class FetchResult:
    id: str
    state: str  # fetched | present | failed
    path: str  # where the file is (or would be) on this machine
    sha256: str = ""
    bytes: int = 0
    message: str = ""


class Refused(Exception):
    """The file was obtained but is not the one wanted; the message says which and why."""


class Unfinished(Exception):
    """The download stopped before its end; the `.part` file is kept to resume from."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_record(local_dir: Path) -> dict[str, dict]:
    path = local_dir / RECORD
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data.get("files", {}) if isinstance(data, dict) else {}


def _write_record(local_dir: Path, files: dict[str, dict]) -> None:
    local_dir.mkdir(parents=True, exist_ok=True)
    tmp = local_dir / (RECORD + ".tmp")
    tmp.write_text(json.dumps({"files": files}, ensure_ascii=False, indent=1, sort_keys=True), encoding="utf-8")
    tmp.replace(local_dir / RECORD)


def _expected(doc: Document, record: dict[str, dict]) -> tuple[str, str]:
    """The sha256 the file must have and where that comes from; the catalogue's wins."""
    if doc.sha256:
        return doc.sha256, "the catalogue"
    recorded = record.get(doc.path, {}).get("sha256", "")
    return recorded, (f"{RECORD}, when the file was first fetched" if recorded else "")


def _check_content(doc: Document, path: Path, content_type: str = "") -> None:
    """A PDF must be a PDF: servers answer a missing file with an HTML page and status 200."""
    with path.open("rb") as handle:
        head = handle.read(1024)
    if not head:
        raise Refused("the reply was empty")
    looks_html = bool(re.match(rb"\s*<(?:!doctype html|html|head|body)", head, re.I))
    if doc.format == "pdf" and not head.startswith(b"%PDF-"):
        what = "an HTML page" if looks_html or "html" in content_type else f"not a PDF (it starts with {head[:16]!r})"
        raise Refused(f"the reply is {what}, not the PDF expected")
    if doc.format != "pdf" and (looks_html or "html" in content_type):
        raise Refused("the reply is an HTML page, not the file expected")
    if doc.format == "pdf":
        _check_language(doc, path)


_LANGUAGES = {"en": "English", "fr": "French", "nl": "Dutch"}


def _check_language(doc: Document, path: Path) -> None:
    """The English and French PDFs of a resolution share a file name (A_RES_78_217.pdf), and a
    server may answer with another language's version: a file must read as its language."""
    try:
        pages = load.read_pdf(path).pages[:3]
    except load.LoadError as exc:
        # Most French entries have no sha256 in the catalogue: the first file fetched becomes
        # the reference, so a damaged one must not be kept as it.
        raise Refused(f"the PDF does not open ({exc})") from None
    found = clean.guess_language(" ".join(p.text for p in pages))
    if found and found != doc.lang:
        raise Refused(f"the file reads as {_LANGUAGES.get(found, found)}, not {_LANGUAGES.get(doc.lang, doc.lang)}: not this version")


def _verify(doc: Document, path: Path, record: dict[str, dict], shown: str) -> str:
    actual = _sha256(path)
    expected, source = _expected(doc, record)
    if expected and actual != expected:
        raise Refused(f"{shown} has sha256 {actual}, but {source} gives {expected}: refused")
    return actual


def _download(url: str, part: Path, doc: Document) -> None:
    """Fill `part` from `url`, resuming from what it holds; raises Unfinished, Refused, OSError."""
    have = part.stat().st_size if part.is_file() else 0
    request = urllib.request.Request(url, headers={"User-Agent": f"policyqa/{__version__}"})
    if have:
        request.add_header("Range", f"bytes={have}-")
    try:
        reply = urllib.request.urlopen(request, timeout=TIMEOUT_S)
    except urllib.error.HTTPError as exc:
        if exc.code == 416 and have:
            # The server holds no more than the part has: start again rather than guess.
            part.unlink()
            return _download(url, part, doc)
        if exc.code == 429 or exc.code >= 500:
            # The server is busy or failing for now: what the part holds is kept for the next run.
            raise Unfinished(f"{urlsplit(url).hostname} answered {exc.code} {exc.reason} for now") from None
        raise Refused(f"{urlsplit(url).hostname} answered {exc.code} {exc.reason} for {url}") from None
    with reply:
        content_type = reply.headers.get("Content-Type", "").lower()
        if doc.format == "pdf" and "text/html" in content_type:
            raise Refused(f"the reply is an HTML page ({content_type}), not the PDF expected")
        resumed = reply.status == 206 and (reply.headers.get("Content-Range") or "").startswith(f"bytes {have}-")
        total = _total(reply.headers, have if resumed else 0)
        part.parent.mkdir(parents=True, exist_ok=True)
        with part.open("ab" if resumed else "wb") as handle:
            written = have if resumed else 0
            try:
                for block in iter(lambda: reply.read(CHUNK), b""):
                    handle.write(block)
                    written += len(block)
            except (OSError, http.client.HTTPException) as exc:
                raise Unfinished(f"the download stopped after {written:,} bytes ({type(exc).__name__})") from None
    if total is not None and written < total:
        raise Unfinished(f"the download stopped after {written:,} of {total:,} bytes")
    _check_content(doc, part, content_type)


def _total(headers, offset: int) -> int | None:
    match = re.match(r"bytes \d+-\d+/(\d+)", headers.get("Content-Range") or "")
    if match:
        return int(match.group(1))
    length = headers.get("Content-Length")
    return offset + int(length) if length and length.isdigit() else None


def _unreachable(url: str, exc: BaseException) -> str:
    reason = getattr(exc, "reason", exc)
    if isinstance(reason, socket.gaierror):
        said = "its name could not be resolved"
    elif isinstance(reason, ConnectionRefusedError):
        said = "the connection was refused"
    elif isinstance(reason, TimeoutError):
        said = f"no answer within {TIMEOUT_S:.0f} s"
    else:
        said = str(reason)
    return (
        f"could not reach {urlsplit(url).hostname} ({said}): this machine may be offline; "
        f"copy the file from a machine that has it into a folder and run `policyqa corpus fetch --from FOLDER`"
    )


def _find_in(folder: Path, doc: Document) -> Path | None:
    """The file in `folder`, by its catalogued path or by its file name alone."""
    for candidate in (folder / doc.path, folder / Path(doc.path).name):
        if candidate.is_file():
            return candidate
    return None


def fetch_one(doc: Document, local_dir: Path, roots: tuple[Path, ...], source: Path | None = None) -> FetchResult:
    record = read_record(local_dir)
    target = local_dir / doc.path
    here = catalog.locate(doc, roots) or (target if target.is_file() else None)
    if here is not None:
        try:
            digest = _verify(doc, here, record, str(here))
        except Refused as exc:
            return FetchResult(doc.id, "failed", str(here), message=str(exc))
        return FetchResult(doc.id, "present", str(here), digest, here.stat().st_size, "already here")
    part = target.with_name(target.name + ".part")
    try:
        if source is not None:
            found = _find_in(source, doc)
            if found is None:
                return FetchResult(doc.id, "failed", str(target), message=f"no {Path(doc.path).name} in {source}")
            origin = str(found)
            part.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(found, part)
            _check_content(doc, part)
        elif doc.download_url:
            origin = doc.download_url
            _download(doc.download_url, part, doc)
        else:
            where = f"save it as {target}, or run `policyqa corpus fetch --from FOLDER`"
            return FetchResult(doc.id, "failed", str(target), message=f"no download address is catalogued: {where}")
        digest = _verify(doc, part, record, f"the file fetched for {doc.path}")
    except Refused as exc:
        part.unlink(missing_ok=True)
        return FetchResult(doc.id, "failed", str(target), message=str(exc))
    except Unfinished as exc:
        return FetchResult(doc.id, "failed", str(target), message=f"{exc}; run the command again to resume from {part.name}")
    except (TimeoutError, urllib.error.URLError, ConnectionError) as exc:
        return FetchResult(doc.id, "failed", str(target), message=_unreachable(doc.download_url, exc))
    except OSError as exc:
        return FetchResult(doc.id, "failed", str(target), message=f"could not write {part}: {exc}")
    size = part.stat().st_size
    os.replace(part, target)
    record = read_record(local_dir)
    record[doc.path] = {"sha256": digest, "bytes": size, "source": origin, "fetched": datetime.now(UTC).isoformat(timespec="seconds")}
    _write_record(local_dir, record)
    return FetchResult(doc.id, "fetched", str(target), digest, size, f"from {origin}")


def fetch(docs: list[Document], local_dir: Path, roots: tuple[Path, ...], source: Path | None = None) -> list[FetchResult]:
    """Each document in turn; one document's failure never stops the others."""
    return [fetch_one(doc, local_dir, roots, source) for doc in docs]


def wanted(docs: list[Document], lang: str | None, ids: list[str] | None, source: Path | None) -> list[Document]:
    """The documents asked for: named ones, else those with somewhere to fetch them from (the
    folder's files when copying from one: a file it lacks is not a failure unless named)."""
    chosen = [d for d in docs if not lang or d.lang == lang]
    if ids:
        return chosen
    if source is not None:
        return [d for d in chosen if _find_in(source, d) is not None]
    return [d for d in chosen if d.download_url]
