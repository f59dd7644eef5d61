"""`policyqa corpus fetch` against a local HTTP server the test runs: a full fetch, a download
cut halfway and resumed with a Range request, a changed file refused on re-verification, an
HTML page refused, an unreachable host said plainly, and copying from a folder."""

from __future__ import annotations

import hashlib
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pdf_factory
import pytest
import tomli_w
from typer.testing import CliRunner

from policyqa.cli.main import app
from policyqa.corpus import fetch


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.files: dict[str, tuple[bytes, str]] = {}  # path -> (body, content type)
        self.cut: set[str] = set()  # paths whose next full reply stops halfway
        self.busy: set[str] = set()  # paths whose next request gets 503
        self.requests: list[tuple[str, str]] = []  # (path, Range header)


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, *args) -> None:  # keep the test output clean
        pass

    def do_GET(self) -> None:
        wanted = self.headers.get("Range", "")
        self.server.requests.append((self.path, wanted))
        if self.path not in self.server.files:
            self.send_error(404, "Not Found")
            return
        if self.path in self.server.busy:
            self.server.busy.discard(self.path)
            self.send_error(503, "Service Unavailable")
            return
        body, kind = self.server.files[self.path]
        start = int(wanted[len("bytes=") : -1]) if wanted.startswith("bytes=") and wanted.endswith("-") else 0
        self.send_response(206 if start else 200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body) - start))
        if start:
            self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
        self.end_headers()
        if not start and self.path in self.server.cut:
            self.server.cut.discard(self.path)
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)  # the connection drops mid-file
            self.close_connection = True
            return
        self.wfile.write(body[start:])


@pytest.fixture
def server():
    srv = _Server()
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()


def _pdf(words: str, pages: int = 6) -> bytes:
    return pdf_factory.pdf_bytes([[f" {n}. {words} {i}" for i in range(40)] for n in range(1, pages + 1)])


def _setup(tmp_path: Path, monkeypatch, entries: list[dict]) -> Path:
    local = tmp_path / "local"
    catalogue = tmp_path / "catalog.toml"
    base = {"lang": "fr", "family": "unga-resolution", "title": "Protection des migrants"}
    catalogue.write_text(tomli_w.dumps({"document": [{**base, **e} for e in entries]}), encoding="utf-8")
    monkeypatch.setenv("POLICYQA_CATALOG", str(catalogue))
    monkeypatch.setenv("POLICYQA_LOCAL_CORPUS", str(local))
    monkeypatch.setenv("POLICYQA_CORPUS_ROOTS", str(local))
    return local


def _run(*args: str) -> tuple[int, list[dict]]:
    result = CliRunner().invoke(app, ["corpus", "fetch", "--json", *args])
    return result.exit_code, json.loads(result.stdout)


def _url(server: _Server, path: str) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}{path}"


def test_a_full_fetch_then_nothing_downloaded_again(server, tmp_path, monkeypatch):
    one, two = _pdf("Prie les États"), _pdf("Engage les États")
    server.files = {"/a.pdf": (one, "application/pdf"), "/b.pdf": (two, "application/pdf")}
    local = _setup(
        tmp_path,
        monkeypatch,
        [
            {"id": "a-fr", "path": "un/fr/A.pdf", "download_url": _url(server, "/a.pdf")},
            {"id": "b-fr", "path": "un/fr/B.pdf", "download_url": _url(server, "/b.pdf")},
            {"id": "c-en", "path": "un/C.pdf", "lang": "en", "download_url": _url(server, "/c.pdf")},
        ],
    )
    code, results = _run("--lang", "fr")
    assert code == 0 and [(r["id"], r["state"]) for r in results] == [("a-fr", "fetched"), ("b-fr", "fetched")]
    assert (local / "un/fr/A.pdf").read_bytes() == one and (local / "un/fr/B.pdf").read_bytes() == two
    assert results[0]["sha256"] == hashlib.sha256(one).hexdigest() and results[0]["bytes"] == len(one)
    record = fetch.read_record(local)
    assert record["un/fr/A.pdf"]["sha256"] == hashlib.sha256(one).hexdigest()
    assert not list(local.rglob("*.part"))
    asked = len(server.requests)
    code, again = _run("--lang", "fr")
    assert code == 0 and {r["state"] for r in again} == {"present"} and len(server.requests) == asked


def test_an_interrupted_download_resumes_with_a_range_request(server, tmp_path, monkeypatch):
    body = _pdf("Réaffirmant", pages=12)
    server.files = {"/r.pdf": (body, "application/pdf")}
    server.cut = {"/r.pdf"}
    local = _setup(tmp_path, monkeypatch, [{"id": "r-fr", "path": "un/fr/R.pdf", "download_url": _url(server, "/r.pdf")}])
    code, results = _run()
    assert code == 1 and results[0]["state"] == "failed" and "resume" in results[0]["message"]
    part = local / "un/fr/R.pdf.part"
    assert not (local / "un/fr/R.pdf").exists() and part.stat().st_size == len(body) // 2
    code, results = _run()
    assert code == 0 and results[0]["state"] == "fetched"
    assert server.requests[-1] == ("/r.pdf", f"bytes={len(body) // 2}-")
    assert (local / "un/fr/R.pdf").read_bytes() == body and not part.exists()


def test_a_server_busy_for_now_keeps_the_part_to_resume_from(server, tmp_path, monkeypatch):
    body = _pdf("Réaffirmant", pages=12)
    server.files = {"/r.pdf": (body, "application/pdf")}
    server.cut = {"/r.pdf"}
    local = _setup(tmp_path, monkeypatch, [{"id": "r-fr", "path": "un/fr/R.pdf", "download_url": _url(server, "/r.pdf")}])
    assert _run()[0] == 1
    part = local / "un/fr/R.pdf.part"
    server.busy = {"/r.pdf"}
    code, results = _run()
    assert code == 1 and "503" in results[0]["message"] and "resume" in results[0]["message"]
    assert part.stat().st_size == len(body) // 2  # not thrown away
    code, results = _run()
    assert code == 0 and server.requests[-1] == ("/r.pdf", f"bytes={len(body) // 2}-")


def test_a_pdf_that_does_not_open_is_not_kept_as_the_reference(server, tmp_path, monkeypatch):
    server.files = {"/x.pdf": (b"%PDF-1.7\n" + b"\x00garbage" * 500, "application/pdf")}
    local = _setup(tmp_path, monkeypatch, [{"id": "x-fr", "path": "un/fr/X.pdf", "download_url": _url(server, "/x.pdf")}])
    code, results = _run()
    assert code == 1 and "does not open" in results[0]["message"]
    assert not (local / "un/fr/X.pdf").exists() and "un/fr/X.pdf" not in fetch.read_record(local)


def test_a_changed_file_on_the_server_is_refused_on_reverification(server, tmp_path, monkeypatch):
    first, changed = _pdf("Consciente"), _pdf("Considérant")
    server.files = {"/c.pdf": (first, "application/pdf")}
    local = _setup(tmp_path, monkeypatch, [{"id": "c-fr", "path": "C.pdf", "download_url": _url(server, "/c.pdf")}])
    assert _run()[0] == 0
    (local / "C.pdf").unlink()
    server.files["/c.pdf"] = (changed, "application/pdf")
    code, results = _run()
    message = results[0]["message"]
    assert code == 1 and results[0]["state"] == "failed"
    assert "C.pdf" in message and hashlib.sha256(first).hexdigest() in message and hashlib.sha256(changed).hexdigest() in message
    assert not (local / "C.pdf").exists() and not (local / "C.pdf.part").exists()
    # The catalogue's own sha256, when present, wins over the record.
    _setup(
        tmp_path,
        monkeypatch,
        [{"id": "c-fr", "path": "C.pdf", "download_url": _url(server, "/c.pdf"), "sha256": hashlib.sha256(changed).hexdigest()}],
    )
    assert _run()[1][0]["state"] == "fetched" and (local / "C.pdf").read_bytes() == changed


def test_an_html_page_is_refused_when_a_pdf_is_expected(server, tmp_path, monkeypatch):
    page = b"<!DOCTYPE html><html><body>Document not found</body></html>"
    server.files = {"/h.pdf": (page, "text/html; charset=utf-8"), "/s.pdf": (page, "application/octet-stream")}
    local = _setup(
        tmp_path,
        monkeypatch,
        [
            {"id": "h-fr", "path": "H.pdf", "download_url": _url(server, "/h.pdf")},
            {"id": "s-fr", "path": "S.pdf", "download_url": _url(server, "/s.pdf")},
            {"id": "m-fr", "path": "M.pdf", "download_url": _url(server, "/missing.pdf")},
        ],
    )
    code, results = _run()
    assert code == 1 and [r["state"] for r in results] == ["failed"] * 3
    assert "HTML page" in results[0]["message"] and "HTML page" in results[1]["message"]
    assert "404" in results[2]["message"]
    assert not [p for p in local.rglob("*") if p.is_file() and p.name != fetch.RECORD]


def test_an_unreachable_host_is_said_plainly_with_a_nonzero_exit(tmp_path, monkeypatch):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    local = _setup(tmp_path, monkeypatch, [{"id": "u-fr", "path": "U.pdf", "download_url": f"http://127.0.0.1:{port}/u.pdf"}])
    result = CliRunner().invoke(app, ["corpus", "fetch"])
    assert result.exit_code == 1
    line = " ".join(result.stdout.split())
    assert "failed u-fr" in line and "could not reach 127.0.0.1 (the connection was refused)" in line
    assert "--from FOLDER" in line and "Traceback" not in line
    assert not local.exists() or not [p for p in local.rglob("*") if p.is_file()]


def test_files_copied_from_a_folder_are_checked_the_same_way(tmp_path, monkeypatch):
    good, other = _pdf("Rappelant"), _pdf("Notant")
    folder = tmp_path / "usb"
    folder.mkdir()
    (folder / "A_RES_1.pdf").write_bytes(good)
    (folder / "A_RES_2.pdf").write_bytes(other)
    (folder / "A_RES_3.pdf").write_bytes(b"<html><body>Erreur</body></html>")
    # The English version under the French one's file name (they share it): refused.
    pdf_factory.write_pdf(folder / "A_RES_5.pdf", pdf_factory.un_resolution_pages())
    local = _setup(
        tmp_path,
        monkeypatch,
        [
            {"id": "one-fr", "path": "un/fr/A_RES_1.pdf"},
            {"id": "two-fr", "path": "un/fr/A_RES_2.pdf", "sha256": hashlib.sha256(good).hexdigest()},
            {"id": "three-fr", "path": "un/fr/A_RES_3.pdf"},
            {"id": "four-fr", "path": "un/fr/A_RES_4.pdf"},
            {"id": "five-fr", "path": "un/fr/A_RES_5.pdf"},
        ],
    )
    code, results = _run("--from", str(folder))
    states = {r["id"]: r for r in results}
    assert code == 1 and set(states) == {"one-fr", "two-fr", "three-fr", "five-fr"}  # nothing to take for four-fr
    assert states["five-fr"]["state"] == "failed" and "reads as English, not French" in states["five-fr"]["message"]
    assert states["one-fr"]["state"] == "fetched" and (local / "un/fr/A_RES_1.pdf").read_bytes() == good
    assert states["two-fr"]["state"] == "failed" and hashlib.sha256(other).hexdigest() in states["two-fr"]["message"]
    assert states["three-fr"]["state"] == "failed" and "HTML page" in states["three-fr"]["message"]
    assert sorted(p.name for p in local.rglob("*.pdf*")) == ["A_RES_1.pdf"]
    code, named = _run("--from", str(folder), "--doc", "four-fr")
    assert code == 1 and "no A_RES_4.pdf in" in named[0]["message"]
    empty = tmp_path / "empty"
    empty.mkdir()
    result = CliRunner().invoke(app, ["corpus", "fetch", "--from", str(empty)])
    assert result.exit_code == 0 and "nothing to fetch: no catalogued file in" in result.stdout
