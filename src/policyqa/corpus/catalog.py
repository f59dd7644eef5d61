"""The corpus catalogue: which documents exist, what they are, and where their files are."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import fields, replace
from datetime import date
from pathlib import Path

import tomli_w

from policyqa.index.weights import sha256_file
from policyqa.types import Document

LANGS = ("en", "fr")
FORMATS = ("pdf", "txt", "md", "xml")
COLLECTIONS = ("default", "extended")
_REQUIRED = ("id", "title", "lang", "family", "path")
_KNOWN = {f.name for f in fields(Document)}
_LISTS = ("aliases", "other_titles")
_ID = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
KINDS = ("resolution", "declaration", "compact", "treaty", "law", "regulation", "rules", "note", "fact sheet", "guidelines")


def _date(value: str) -> bool:
    try:
        return bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", value)) and date.fromisoformat(value) is not None
    except ValueError:
        return False


class CatalogError(ValueError):
    """A catalogue entry is wrong; the message names the file, the entry and the field."""


def _check(entry: dict, where: str) -> Document:
    name = entry.get("id", "?")
    for key in _REQUIRED:
        if not str(entry.get(key, "")).strip():
            raise CatalogError(f"{where}: document '{name}': field '{key}' is missing or empty")
    unknown = set(entry) - _KNOWN
    if unknown:
        raise CatalogError(f"{where}: document '{name}': unknown field(s) {', '.join(sorted(unknown))}")
    for key, value in entry.items():
        if key in _LISTS:
            if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
                raise CatalogError(f"{where}: document '{name}': field '{key}' must be a list of names")
        elif not isinstance(value, str):
            raise CatalogError(f"{where}: document '{name}': field '{key}' must be a string")
    if not _ID.match(entry["id"]):
        raise CatalogError(f"{where}: document '{name}': field 'id' must be lower-case letters, digits, '.', '_' or '-'")
    if entry["lang"] not in LANGS:
        raise CatalogError(f"{where}: document '{name}': field 'lang' is '{entry['lang']}', expected one of {', '.join(LANGS)}")
    fmt = entry.get("format") or Path(entry["path"]).suffix.lstrip(".").lower()
    if fmt not in FORMATS:
        raise CatalogError(f"{where}: document '{name}': field 'path' has unsupported type '.{fmt}' (supported: {', '.join(FORMATS)})")
    if entry.get("collection", "default") not in COLLECTIONS:
        raise CatalogError(f"{where}: document '{name}': field 'collection' must be one of {', '.join(COLLECTIONS)}")
    digest = entry.get("sha256", "")
    if digest and not re.fullmatch(r"[0-9a-f]{64}", digest):
        raise CatalogError(f"{where}: document '{name}': field 'sha256' is not 64 lower-case hex digits")
    for key in ("adopted", "current_to"):
        if entry.get(key) and not _date(entry[key]):
            raise CatalogError(f"{where}: document '{name}': field '{key}' must be a date written YYYY-MM-DD")
    if entry.get("session") and not entry["session"].isdigit():
        raise CatalogError(f"{where}: document '{name}': field 'session' must be the session's number (\"80\")")
    if entry.get("kind") and entry["kind"] not in KINDS:
        raise CatalogError(f"{where}: document '{name}': field 'kind' must be one of {', '.join(KINDS)}")
    if Path(entry["path"]).is_absolute() or ".." in Path(entry["path"]).parts:
        raise CatalogError(f"{where}: document '{name}': field 'path' must be relative to a corpus root")
    for key in ("source_url", "download_url"):
        if entry.get(key) and not re.fullmatch(r"https?://[^\s/]+\S*", entry[key]):
            raise CatalogError(f"{where}: document '{name}': field '{key}' must be an http(s) address")
    doc = Document(**{**entry, **{key: tuple(entry.get(key, ())) for key in _LISTS}})
    return replace(doc, format=fmt, short_title=doc.short_title or doc.title)


def load_catalog(paths: tuple[Path, ...] | list[Path]) -> list[Document]:
    """Read one or more catalogue files; later files may not redefine an id."""
    docs: list[Document] = []
    seen: dict[str, Path] = {}
    for path in paths:
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise CatalogError(f"{path}: catalogue file not found") from None
        except tomllib.TOMLDecodeError as exc:
            raise CatalogError(f"{path}: not valid TOML: {exc}") from None
        entries = data.get("document", [])
        if not isinstance(entries, list):
            raise CatalogError(f"{path}: expected [[document]] tables")
        for i, entry in enumerate(entries, 1):
            doc = _check(entry, f"{path.name} entry {i}")
            if doc.id in seen:
                raise CatalogError(f"{path.name} entry {i}: document '{doc.id}': field 'id' already used in {seen[doc.id].name}")
            seen[doc.id] = path
            docs.append(doc)
    return docs


def select(docs: list[Document], collection: str | None = "default", ids: list[str] | None = None) -> list[Document]:
    """The documents of a collection (None: all), optionally restricted to some ids."""
    if ids:
        known = {d.id for d in docs}
        missing = [i for i in ids if i not in known]
        if missing:
            raise CatalogError(f"unknown document id(s): {', '.join(missing)}")
        return [d for d in docs if d.id in ids]
    return [d for d in docs if collection is None or d.collection == collection]


def locate(doc: Document, roots: tuple[Path, ...]) -> Path | None:
    """The first corpus root holding the document's file, or None when it is not here."""
    for root in roots:
        candidate = root / doc.path
        if candidate.is_file():
            return candidate
    return None


def official_url(doc: Document, lang: str, documents: Iterable[Document]) -> str:
    """The official address of `doc` for a reader of `lang`: that of its version in `lang`
    when the catalogue has one (held or not: the official page exists either way), else
    its own. Empty when neither has an address."""
    if doc.lang == lang and doc.source_url:
        return doc.source_url
    if doc.parallel_group:
        for other in documents:
            if other.parallel_group == doc.parallel_group and other.lang == lang and other.source_url:
                return other.source_url
    return doc.source_url


def official_urls(doc: Document, documents: Iterable[Document]) -> dict[str, str]:
    """`official_url` for each language of the catalogue, the languages without one left out."""
    group = [d for d in documents if doc.parallel_group and d.parallel_group == doc.parallel_group]
    found = {lang: official_url(doc, lang, group) for lang in LANGS}
    return {lang: url for lang, url in found.items() if url}


def sha256_of(path: Path) -> str:
    return sha256_file(path)


def add_to_catalog(catalog: Path, doc: Document) -> None:
    """Append a user's document to a (local) catalogue file, creating it if needed."""
    existing = tomllib.loads(catalog.read_text(encoding="utf-8")) if catalog.exists() else {}
    entries = existing.get("document", [])
    if any(e.get("id") == doc.id for e in entries):
        raise CatalogError(f"{catalog.name}: document '{doc.id}' already exists")
    entry = {f.name: getattr(doc, f.name) for f in fields(Document) if getattr(doc, f.name)}
    for key in _LISTS:
        if key in entry:
            entry[key] = list(entry[key])
    _check(dict(entry), f"{catalog.name} new entry")
    entries.append(entry)
    catalog.parent.mkdir(parents=True, exist_ok=True)
    tmp = catalog.with_suffix(".toml.tmp")
    tmp.write_text(tomli_w.dumps({"document": entries}), encoding="utf-8")
    tmp.replace(catalog)
