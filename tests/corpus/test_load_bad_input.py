"""Bad input, end to end: files that cannot be read, catalogue entries that are wrong, and
the command line reporting both, all on a temporary catalogue and corpus the tests write."""

from __future__ import annotations

import json
from pathlib import Path

import pdf_factory  # noqa: E402
import pytest
import tomli_w
from typer.testing import CliRunner

from policyqa.cli.main import app  # noqa: E402
from policyqa.corpus import (
    catalog,
    ingest,
    load,  # noqa: E402
)
from policyqa.corpus.catalog import CatalogError  # noqa: E402

GOOD_PAGES = [
    [
        "A small guide to testing",
        "",
        " Testing software before each release protects its users from regressions and",
        "helps developers to change the code with confidence.",
        " Every new function should come with a test that shows how it is meant to be used,",
        "and with a test for each way in which it can fail.",
    ]
]
MARKDOWN = """---
title: Note sur les tests
---

**Les tests de logiciels**

Les tests protègent les utilisateurs contre les régressions et permettent de modifier le code.

-   Écrire un test pour chaque nouvelle fonction ;
-   Lancer les tests avant chaque version.
"""


def _entry(doc_id: str, path: str, **extra: str) -> dict:
    return {"id": doc_id, "title": f"Title of {doc_id}", "short_title": doc_id, "lang": "en", "family": "guidelines", "path": path, **extra}


def _write_catalog(path: Path, entries: list[dict]) -> Path:
    path.write_text(tomli_w.dumps({"document": entries}), encoding="utf-8")
    return path


@pytest.fixture
def corpus(tmp_path: Path) -> dict:
    """A corpus root with one good PDF and one file for each way a file can be bad."""
    root = tmp_path / "corpus"
    (root / "docs").mkdir(parents=True)
    good = pdf_factory.write_pdf(root / "docs" / "good.pdf", GOOD_PAGES)
    pdf_factory.corrupt_pdf(root / "docs" / "corrupt.pdf")
    (root / "docs" / "truncated.pdf").write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    pdf_factory.encrypted_pdf(root / "docs" / "encrypted.pdf", GOOD_PAGES, user_password="secret")
    (root / "docs" / "empty.pdf").write_bytes(b"")
    (root / "docs" / "empty.md").write_text("\n  \n", encoding="utf-8")
    pdf_factory.image_only_pdf(root / "docs" / "scan.pdf")
    (root / "docs" / "latin1.txt").write_bytes("Caf\xe9 des migrants, une note en latin-1.".encode("latin-1"))
    entries = [
        _entry("good", "docs/good.pdf"),
        _entry("corrupt", "docs/corrupt.pdf"),
        _entry("truncated", "docs/truncated.pdf"),
        _entry("encrypted", "docs/encrypted.pdf"),
        _entry("empty", "docs/empty.pdf"),
        _entry("empty-md", "docs/empty.md"),
        _entry("scan", "docs/scan.pdf"),
        _entry("latin1", "docs/latin1.txt"),
        _entry("wrong-hash", "docs/good.pdf", sha256="0" * 64),
        _entry("right-hash", "docs/good.pdf", sha256=catalog.sha256_of(good)),
        _entry("absent", "docs/absent.pdf"),
    ]
    cat = _write_catalog(tmp_path / "catalog.toml", entries)
    return {"root": root, "catalog": cat, "tmp": tmp_path}


@pytest.fixture
def report(corpus: dict) -> dict:
    docs = catalog.load_catalog([corpus["catalog"]])
    result = ingest.ingest(docs, (corpus["root"],))
    return {d.document.id: d for d in result.documents}


def _errors(doc) -> list[str]:
    return [p.message for p in doc.problems if p.severity == "error"]


def test_the_good_pdf_yields_passages_among_bad_ones(report):
    good = report["good"]
    assert good.available and good.problems == ()
    assert good.pages == 1
    texts = [p.text for p in good.passages]
    assert len(texts) == 2
    assert texts[0].startswith("Testing software before each release")
    assert texts[1].endswith("in which it can fail.")
    assert all(p.doc_id == "good" and p.page_start == 1 for p in good.passages)


@pytest.mark.parametrize(
    ("doc_id", "words"),
    [
        ("corrupt", ["corrupt", "unreadable"]),
        ("truncated", ["corrupt", "unreadable"]),
        ("encrypted", ["encrypted", "password"]),
        ("empty", ["empty"]),
        ("empty-md", ["empty"]),
        ("scan", ["image-only", "no text layer", "OCR"]),
        ("latin1", ["UTF-8"]),
    ],
)
def test_each_bad_file_is_an_error_with_a_clear_reason(report, doc_id, words):
    doc = report[doc_id]
    assert doc.available
    assert doc.passages == ()
    errors = _errors(doc)
    assert len(errors) == 1, doc.problems
    for word in words:
        assert word in errors[0], (word, errors[0])
    assert doc.document.path.split("/")[-1] in errors[0]  # names the file


def test_a_pdf_with_an_owner_password_only_opens(tmp_path):
    path = pdf_factory.encrypted_pdf(tmp_path / "owner-only.pdf", GOOD_PAGES, user_password="")
    raw = load.read_pdf(path)
    assert "Testing software before each release" in raw.pages[0].text


def test_sha256_mismatch_is_a_warning_and_passages_are_still_produced(report):
    doc = report["wrong-hash"]
    assert [p.severity for p in doc.problems] == ["warning"]
    assert "sha256" in doc.problems[0].message
    assert [p.text for p in doc.passages] == [p.text for p in report["good"].passages]
    assert report["right-hash"].problems == ()


def test_missing_file_is_reported_missing(report, corpus):
    doc = report["absent"]
    assert doc.available is False
    assert doc.passages == ()
    assert [p.severity for p in doc.problems] == ["missing"]
    assert "docs/absent.pdf" in doc.problems[0].message
    assert str(corpus["root"]) in doc.problems[0].message


def test_ingestion_does_not_raise_on_any_bad_file(corpus):
    docs = catalog.load_catalog([corpus["catalog"]])
    seen = []
    result = ingest.ingest(docs, (corpus["root"],), progress=lambda d: seen.append(d.id))
    assert seen == [d.id for d in docs]
    assert len(result.documents) == len(docs)
    assert {p.doc_id for p in result.passages} == {"good", "wrong-hash", "right-hash"}


def test_unknown_loader_format_is_a_load_error(tmp_path):
    with pytest.raises(load.LoadError, match="no page loader"):
        load.read(tmp_path / "x.docx", "docx")
    with pytest.raises(load.LoadError, match="not found"):
        load.read(tmp_path / "absent.pdf", "pdf")


# --- catalogue errors -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("entry", "field"),
    [
        (_entry("word-doc", "docs/report.docx"), "path"),
        ({"id": "untitled", "lang": "en", "family": "guidelines", "path": "a.pdf"}, "title"),
        ({**_entry("blank-title", "a.pdf"), "title": "  "}, "title"),
        (_entry("authored", "a.pdf", author="Someone"), "author"),
        (_entry("german", "a.pdf", lang="de"), "lang"),
        (_entry("Bad ID", "a.pdf"), "id"),
        (_entry("bad-hash", "a.pdf", sha256="abc"), "sha256"),
        (_entry("escape", "../outside.pdf"), "path"),
        (_entry("odd-collection", "a.pdf", collection="secret"), "collection"),
        (_entry("one-title", "a.pdf", other_titles="Protection des migrants"), "other_titles"),
    ],
)
def test_catalog_error_names_the_entry_and_the_field(tmp_path, entry, field):
    cat = _write_catalog(tmp_path / "catalog.toml", [_entry("fine", "fine.pdf"), entry])
    with pytest.raises(CatalogError) as info:
        catalog.load_catalog([cat])
    message = str(info.value)
    assert f"'{entry['id']}'" in message
    assert field in message
    assert "entry 2" in message and "catalog.toml" in message


def test_unsupported_type_message_says_which(tmp_path):
    cat = _write_catalog(tmp_path / "catalog.toml", [_entry("word-doc", "docs/report.docx")])
    with pytest.raises(CatalogError, match=r"unsupported type '\.docx'"):
        catalog.load_catalog([cat])


def test_duplicate_id_names_the_id_and_both_files(tmp_path):
    first = _write_catalog(tmp_path / "catalog.toml", [_entry("twice", "a.pdf")])
    (tmp_path / "local").mkdir(exist_ok=True)
    second = _write_catalog(tmp_path / "local" / "extra.toml", [_entry("other", "b.pdf"), _entry("twice", "c.pdf")])
    with pytest.raises(CatalogError) as info:
        catalog.load_catalog([first, second])
    message = str(info.value)
    assert "'twice'" in message and "field 'id'" in message and "already used" in message
    assert "extra.toml entry 2" in message and "catalog.toml" in message


def test_duplicate_id_within_one_file(tmp_path):
    cat = _write_catalog(tmp_path / "catalog.toml", [_entry("twice", "a.pdf"), _entry("twice", "b.pdf")])
    with pytest.raises(CatalogError, match=r"entry 2: document 'twice': field 'id' already used"):
        catalog.load_catalog([cat])


def test_broken_toml_and_missing_catalogue(tmp_path):
    bad = tmp_path / "catalog.toml"
    bad.write_text("[[document]]\nid = \n", encoding="utf-8")
    with pytest.raises(CatalogError, match="not valid TOML"):
        catalog.load_catalog([bad])
    with pytest.raises(CatalogError, match="not found"):
        catalog.load_catalog([tmp_path / "nowhere.toml"])


def test_a_good_entry_gets_its_format(tmp_path):
    cat = _write_catalog(tmp_path / "catalog.toml", [_entry("fine", "docs/Fine.PDF")])
    (doc,) = catalog.load_catalog([cat])
    assert doc.format == "pdf"
    assert doc.short_title == "fine"
    assert doc.collection == "default"


def test_short_title_is_optional_and_defaults_to_the_title(tmp_path):
    entry = _entry("fine", "docs/fine.pdf")
    del entry["short_title"]
    cat = _write_catalog(tmp_path / "catalog.toml", [entry])
    (doc,) = catalog.load_catalog([cat])
    assert doc.short_title == "Title of fine"


# --- the command line --------------------------------------------------------------------------


@pytest.fixture
def cli_env(corpus: dict, monkeypatch: pytest.MonkeyPatch) -> dict:
    tmp = corpus["tmp"]
    local = tmp / "local"
    monkeypatch.setenv("POLICYQA_CATALOG", str(corpus["catalog"]))
    monkeypatch.setenv("POLICYQA_CORPUS_ROOTS", pdf_factory.env_paths(corpus["root"], local))
    monkeypatch.setenv("POLICYQA_LOCAL_CORPUS", str(local))
    monkeypatch.setenv("POLICYQA_CACHE_DIR", str(tmp / "cache"))
    monkeypatch.setenv("POLICYQA_INDEX_DIR", str(tmp / "index"))
    return {**corpus, "local": local}


def _run(*args: str):
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, (result.output, result.exception)
    return result


def _status() -> dict:
    return json.loads(_run("corpus", "status", "--json").stdout)


def test_cli_status_json_lists_bad_documents_as_errors(cli_env):
    data = _status()
    rows = {r["id"]: r for r in data["documents"]}
    assert len(rows) == 11
    assert rows["good"]["state"] == "ok" and rows["good"]["passages"] == 2 and rows["good"]["pages"] == 1
    for doc_id in ["corrupt", "truncated", "encrypted", "empty", "empty-md", "scan", "latin1"]:
        row = rows[doc_id]
        assert row["state"] == "error", row
        assert row["passages"] == 0
        assert [p["severity"] for p in row["problems"]] == ["error"]
        assert row["problems"][0]["message"]
    assert "password" in rows["encrypted"]["problems"][0]["message"]
    assert "image-only" in rows["scan"]["problems"][0]["message"]
    assert rows["absent"]["state"] == "missing" and rows["absent"]["available"] is False
    assert rows["wrong-hash"]["state"] == "ok"
    assert rows["wrong-hash"]["problems"][0]["severity"] == "warning"
    assert data["passages"] == 6


def test_cli_passages_json_lines(cli_env):
    result = _run("corpus", "passages", "--json")
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    assert len(lines) == 6
    for item in lines:
        for key in ("id", "doc_id", "lang", "locator", "page_start", "page_end", "text"):
            assert key in item, key
        assert item["text"] and item["lang"] == "en" and item["page_start"] == item["page_end"] == 1
        assert isinstance(item["notes"], list)
    assert {item["doc_id"] for item in lines} == {"good", "wrong-hash", "right-hash"}
    assert len({item["id"] for item in lines}) == 6


def test_cli_passages_for_one_document(cli_env):
    result = _run("corpus", "passages", "--json", "--doc", "good")
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    assert [item["doc_id"] for item in lines] == ["good", "good"]
    assert lines[0]["locator"] == "p. 1, para 1"


def test_cli_unknown_document_id_fails_cleanly(cli_env):
    result = CliRunner().invoke(app, ["corpus", "passages", "--json", "--doc", "nope"])
    assert result.exit_code == 2
    assert "unknown document id(s): nope" in result.output
    assert result.stdout == ""


def test_cli_bad_catalogue_fails_with_its_message(cli_env, monkeypatch):
    bad = _write_catalog(cli_env["tmp"] / "bad.toml", [_entry("word-doc", "docs/report.docx")])
    monkeypatch.setenv("POLICYQA_CATALOG", str(bad))
    result = CliRunner().invoke(app, ["corpus", "status", "--json"])
    assert result.exit_code == 2
    assert "word-doc" in result.output and "'path'" in result.output


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("note-tests.md", MARKDOWN),
        ("note-tests.txt", "Une note en texte brut sur les tests de logiciels, qui protègent les utilisateurs contre les régressions.\n"),
    ],
)
def test_cli_add_a_users_file_then_status_shows_it(cli_env, name, content):
    source = cli_env["tmp"] / "incoming" / name
    source.parent.mkdir()
    source.write_text(content, encoding="utf-8")
    result = _run("corpus", "add", str(source), "--title", "Note sur les tests", "--lang", "fr")
    assert "added 'note-tests'" in result.stdout
    local_catalog = cli_env["local"] / "catalog.toml"
    assert local_catalog.is_file()
    assert (cli_env["local"] / "user" / name).read_text(encoding="utf-8") == content
    (doc,) = catalog.load_catalog([local_catalog])
    assert (doc.id, doc.lang, doc.title, doc.path) == ("note-tests", "fr", "Note sur les tests", f"user/{name}")
    assert doc.sha256 == catalog.sha256_of(source)

    rows = {r["id"]: r for r in _status()["documents"]}
    assert len(rows) == 12
    row = rows["note-tests"]
    assert row["state"] == "ok" and row["lang"] == "fr" and row["passages"] >= 1
    assert row["problems"] == []

    lines = _run("corpus", "passages", "--json", "--doc", "note-tests").stdout.splitlines()
    texts = [json.loads(line)["text"] for line in lines]
    assert texts and all("**" not in t and "title:" not in t for t in texts)
    assert all(json.loads(line)["lang"] == "fr" for line in lines)


def test_cli_add_twice_needs_another_id(cli_env):
    source = cli_env["tmp"] / "note.md"
    source.write_text(MARKDOWN, encoding="utf-8")
    _run("corpus", "add", str(source), "--title", "Note", "--lang", "fr")
    again = CliRunner().invoke(app, ["corpus", "add", str(source), "--title", "Note", "--lang", "fr"])
    assert again.exit_code == 2
    assert "already catalogued" in again.output
    _run("corpus", "add", str(source), "--title", "Note", "--lang", "fr", "--id", "note-2")
    assert {"note", "note-2"} <= {r["id"] for r in _status()["documents"]}


def test_cli_add_rejects_a_bad_language_and_a_missing_file(cli_env):
    source = cli_env["tmp"] / "note.md"
    source.write_text(MARKDOWN, encoding="utf-8")
    bad_lang = CliRunner().invoke(app, ["corpus", "add", str(source), "--title", "Note", "--lang", "de"])
    assert bad_lang.exit_code == 2
    assert "'lang'" in bad_lang.output
    assert not (cli_env["local"] / "catalog.toml").exists()
    missing = CliRunner().invoke(app, ["corpus", "add", str(cli_env["tmp"] / "nope.md"), "--title", "N", "--lang", "fr"])
    assert missing.exit_code == 2
    assert "no such file" in missing.output
