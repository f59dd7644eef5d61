"""End to end: the official French version of a resolution, fetched with `policyqa corpus fetch`
from a local server into the drop folder, ingested with the default corpus and indexed (hashing
embedder), gives French passages paired one for one with the English ones."""

from __future__ import annotations

import threading
import tomllib
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import tomli_w
from conftest import REPO, require_shared_corpus
from typer.testing import CliRunner
from un_fr_factory import write_resolution
from un_fr_texts import a_res_80_218_fr, item_labels

from policyqa.cli.main import app
from policyqa.corpus import catalog, ingest
from policyqa.index.embedder import HashingEmbedder
from policyqa.index.store import build_index, load_index
from policyqa.retrieve.retriever import Retriever
from policyqa.settings import Settings


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def test_a_fetched_french_resolution_pairs_with_the_english_in_the_default_index(tmp_path, monkeypatch):
    shared = require_shared_corpus()
    english = ingest.ingest(catalog.load_catalog([REPO / "corpus" / "catalog.toml"])[2:4], (shared,))
    assert english.documents[0].document.id == "a-res-78-217-en" and english.documents[1].document.id == "a-res-80-218-en"
    served = tmp_path / "served"
    write_resolution(served / "A_RES_80_218_fr.pdf", a_res_80_218_fr(item_labels(english.documents[1].passages)))
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(served)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        # The real catalogue, its French entry's download address pointed at the local server.
        entries = tomllib.loads((REPO / "corpus" / "catalog.toml").read_text(encoding="utf-8"))["document"]
        for entry in entries:
            if entry["id"] == "a-res-80-218-fr":
                entry["download_url"] = f"http://127.0.0.1:{server.server_address[1]}/A_RES_80_218_fr.pdf"
        (tmp_path / "catalog.toml").write_text(tomli_w.dumps({"document": entries}), encoding="utf-8")
        local = tmp_path / "local"
        monkeypatch.setenv("POLICYQA_CATALOG", str(tmp_path / "catalog.toml"))
        monkeypatch.setenv("POLICYQA_LOCAL_CORPUS", str(local))
        monkeypatch.setenv("POLICYQA_CORPUS_ROOTS", f"{local}:{shared}")
        fetched = CliRunner().invoke(app, ["corpus", "fetch", "--doc", "a-res-80-218-fr"])
    finally:
        server.shutdown()
        server.server_close()
    assert fetched.exit_code == 0 and "fetched a-res-80-218-fr" in fetched.stdout
    assert (local / "un/fr/A_RES_80_218.pdf").is_file()

    settings = Settings.from_env()
    docs = catalog.select(catalog.load_catalog(settings.catalogs), "default")
    report = ingest.ingest(docs, settings.corpus_roots)
    by_doc = {d.document.id: d for d in report.documents}
    assert by_doc["a-res-80-218-fr"].available and by_doc["a-res-80-218-en"].available
    assert not by_doc["a-res-78-217-fr"].available  # the other French versions stay unavailable
    fr = [p for p in report.passages if p.doc_id == "a-res-80-218-fr"]
    en = [p for p in report.passages if p.doc_id == "a-res-80-218-en"]
    assert fr and all(p.parallel_key for p in fr + en)
    assert [p.parallel_key for p in fr] == [p.parallel_key for p in en]
    # Nothing else changed: the other texts' passages are those of the corpus without it.
    before = ingest.ingest([d for d in docs if d.id != "a-res-80-218-fr"], settings.corpus_roots).passages
    assert [p for p in report.passages if p.doc_id not in ("a-res-80-218-fr", "a-res-80-218-en")] == [
        p for p in before if p.doc_id != "a-res-80-218-en"
    ]

    embedder = HashingEmbedder()
    root = tmp_path / "index"
    build_index(report.passages, docs, embedder.embed_documents, embedder.name, embedder.fingerprint, embedder.dimension, root)
    retriever = Retriever(load_index(root, embedder.fingerprint, embedder.dimension), lambda q: embedder.embed_queries([q])[0])
    found = retriever.search("la dignité inhérente des migrants et les arrestations et détentions arbitraires", k=10, lang="fr")
    hit = next(h for h in found.hits if h.passage.doc_id == "a-res-80-218-fr")
    assert hit.passage.parallel_key == "a-res-80-218#op-5/(a)"
    assert [(o.doc_id, o.parallel_key) for o in hit.other_versions] == [("a-res-80-218-en", "a-res-80-218#op-5/(a)")]
