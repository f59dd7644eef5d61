"""A damaged or half-written index never stops the service and never loads silently: every
part's size and sha256 are in the manifest, a damaged part is named, a build killed with
SIGKILL leaves the previous index current and its staging folder is cleared by the next build."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from index_fixtures import PASSAGES, _build
from typer.testing import CliRunner

from policyqa.cli.main import app
from policyqa.index.embedder import HashingEmbedder
from policyqa.index.staging import remove_abandoned
from policyqa.index.store import IndexDamagedError, current_folder, damage, load_index, read_manifest

PARTS = ("dense.faiss", "passages.jsonl", "documents.json", "units.npy", "unit_rows.npy", "sparse/sparse.json")


def _load(root: Path):
    embedder = HashingEmbedder()
    return load_index(root, embedder.fingerprint, embedder.dimension)


def test_the_manifest_records_every_part_with_its_size_and_hash(tmp_path):
    folder = _build(tmp_path)
    parts = read_manifest(folder).parts
    assert set(PARTS) <= set(parts) and "manifest.json" not in parts
    assert all(len(p["sha256"]) == 64 and p["bytes"] > 0 for p in parts.values())
    assert damage(folder, read_manifest(folder)) == []


@pytest.mark.parametrize("part", PARTS)
@pytest.mark.parametrize("harm", ["truncated", "missing", "altered"])
def test_a_damaged_part_is_named_and_refused(tmp_path, part, harm):
    folder = _build(tmp_path)
    path = folder / part
    data = path.read_bytes()
    if harm == "truncated":
        path.write_bytes(data[: len(data) // 2])
    elif harm == "missing":
        path.unlink()
    else:
        path.write_bytes(data[:-1] + bytes([data[-1] ^ 1]))
    with pytest.raises(IndexDamagedError, match=part.replace(".", r"\.")) as caught:
        _load(tmp_path)
    assert "policyqa index build" in str(caught.value)


def test_a_build_from_before_part_hashes_still_loads_and_a_bad_part_is_still_refused_cleanly(tmp_path):
    folder = _build(tmp_path)
    manifest = json.loads((folder / "manifest.json").read_text())
    del manifest["parts"]
    (folder / "manifest.json").write_text(json.dumps(manifest))
    assert len(_load(tmp_path).passages) == len(PASSAGES)
    # Without hashes, a truncated FAISS file still gives an IndexProblem, not FAISS's own error.
    faiss_file = folder / "dense.faiss"
    faiss_file.write_bytes(faiss_file.read_bytes()[:100])
    with pytest.raises(IndexDamagedError, match="damaged"):
        _load(tmp_path)


def test_index_status_reports_the_damage(tmp_path, monkeypatch):
    folder = _build(tmp_path)
    monkeypatch.setenv("POLICYQA_INDEX_DIR", str(tmp_path))
    runner = CliRunner()
    sound = runner.invoke(app, ["index", "status", "--json"])
    assert sound.exit_code == 0 and json.loads(sound.stdout)["problems"] == []
    (folder / "units.npy").write_bytes(b"\x93NUMPY")
    damaged = runner.invoke(app, ["index", "status", "--json"])
    assert damaged.exit_code == 1
    assert json.loads(damaged.stdout.splitlines()[0])["problems"] == [
        f"units.npy has 6 bytes, not {read_manifest(folder).parts['units.npy']['bytes']}"
    ]
    assert "damaged" in damaged.output and "policyqa index build" in damaged.output


SLOW_BUILD = """
import sys, time
from policyqa.index.embedder import HashingEmbedder
from index_fixtures import DOCS, PASSAGES
from policyqa.index.store import build_index

class Slow(HashingEmbedder):
    def embed_documents(self, texts):
        print("embedding", flush=True)
        time.sleep(60)
        return super().embed_documents(texts)

e = Slow()
build_index(PASSAGES, DOCS, e.embed_documents, e.name, e.fingerprint, e.dimension, __import__("pathlib").Path(sys.argv[1]))
"""


def test_a_build_killed_midway_leaves_the_previous_index_and_the_next_build_clears_its_staging(tmp_path):
    first = _build(tmp_path)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path(__file__).parents[1]), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.Popen([sys.executable, "-c", SLOW_BUILD, str(tmp_path)], stdout=subprocess.PIPE, text=True, env=env)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "embedding"
        staging = [p for p in (tmp_path / "builds").iterdir() if p.name.startswith(".partial-") and p.is_dir()]
        assert len(staging) == 1 and staging[0].name.endswith(f"-{proc.pid}")
        assert (tmp_path / "builds" / f"{staging[0].name}.lock").exists()
        # A live build's staging is never taken away from it.
        assert remove_abandoned(tmp_path) == [] and staging[0].exists()
    finally:
        proc.send_signal(signal.SIGKILL)  # no cleanup runs: as on a power cut
        proc.wait(timeout=10)
    assert staging[0].exists() and current_folder(tmp_path) == first.resolve()
    assert len(_load(tmp_path).passages) == len(PASSAGES)
    time.sleep(1.1)  # build ids carry the second
    second = _build(tmp_path)
    assert not staging[0].exists() and current_folder(tmp_path) == second.resolve()
    assert not [p for p in (tmp_path / "builds").iterdir() if p.name.startswith(".partial-")]
