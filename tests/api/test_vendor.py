"""pdf.js is installed from the registry's tarball only when its sha512 is the pinned one."""

from __future__ import annotations

import base64
import hashlib
import io
import tarfile

import pytest

from policyqa_api import vendor


def tarball(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz") as archive:
        for name, data in files.items():
            info = tarfile.TarInfo("package/" + name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return out.getvalue()


def pin(monkeypatch, data: bytes) -> None:
    monkeypatch.setattr(vendor, "INTEGRITY", "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode())


@pytest.fixture(autouse=True)
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("POLICYQA_CACHE_DIR", str(tmp_path / "cache"))


def test_the_pinned_tarball_is_unpacked_with_only_what_the_page_loads(monkeypatch):
    data = tarball({"build/pdf.min.mjs": b"lib", "build/pdf.worker.min.mjs": b"worker", "build/pdf.mjs.map": b"big", "LICENSE": b"Apache"})
    pin(monkeypatch, data)
    assert vendor.ready() is None
    folder = vendor.install(data)
    assert vendor.ready() == folder
    assert (folder / "build" / "pdf.min.mjs").read_bytes() == b"lib"
    assert (folder / "LICENSE").exists() and not (folder / "build" / "pdf.mjs.map").exists()
    assert vendor.install(b"not even read") == folder  # done once, then a no-op


def test_a_tarball_with_another_hash_is_refused_and_nothing_is_left(monkeypatch):
    pin(monkeypatch, b"the real one")
    with pytest.raises(vendor.VendorError, match="refusing"):
        vendor.install(tarball({"build/pdf.min.mjs": b"tampered"}))
    assert vendor.ready() is None and not vendor.folder().exists()
