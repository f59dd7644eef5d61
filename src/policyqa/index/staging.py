"""Builds being written: the staging folders and the locks that tell a live build's from one
left by a process that is gone, and their removal."""

from __future__ import annotations

import fcntl
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

STAGING = ".partial-"  # builds/.partial-<build id>-<pid>: a build being written
LINK_STAGING = ".current-"  # <root>/.current-<pid>: the new link before its rename


def hold(lock_path: Path):
    """An exclusive lock that lives as long as the returned file stays open, and no longer:
    the kernel drops it when its process dies, however it dies."""
    handle = lock_path.open("a+b")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        return None
    return handle


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's live process
        return True
    return True


def remove_abandoned(root: Path) -> list[str]:
    """Remove staging folders (and their locks) left by builds that are gone, killed or cut
    off by a stopped machine, so a disk does not fill with half builds. A build holds a lock
    beside its staging folder while it runs, so a live one's is kept, also when it runs in
    another process namespace; a folder without a lock falls back to its process id."""
    removed = []
    builds = root / "builds"
    if builds.is_dir():
        for path in sorted(builds.iterdir()):
            if not path.name.startswith(STAGING) or path.suffix == ".lock":
                continue
            lock_path = builds / f"{path.name}.lock"
            if lock_path.exists():
                held = hold(lock_path)
                if held is None:
                    continue
                held.close()
                lock_path.unlink(missing_ok=True)
            elif (pid := path.name.rsplit("-", 1)[-1]).isdigit() and alive(int(pid)):
                continue
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path.name)
    # The new `current` link exists for the instant before its rename; one older than a minute
    # was left by a process that died in that instant.
    if root.is_dir():
        for path in root.iterdir():
            if path.name.startswith(LINK_STAGING) and time.time() - path.lstat().st_mtime > 60:
                path.unlink(missing_ok=True)
                removed.append(path.name)
    return removed


@contextmanager
def staged(root: Path, build_id: str, busy: type[Exception]) -> Iterator[Path]:
    """A fresh staging folder for one build under <root>/builds, locked while the block runs
    and removed if it fails; the block moves it into place. Raises `busy` when another
    process of this build id holds its lock."""
    builds = root / "builds"
    builds.mkdir(parents=True, exist_ok=True)
    remove_abandoned(root)
    staging = builds / f"{STAGING}{build_id}-{os.getpid()}"
    lock_path = builds / f"{staging.name}.lock"
    lock = hold(lock_path)
    if lock is None:
        raise busy(f"another build holds {lock_path.name}")
    try:
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir()
        yield staging
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        lock.close()
        lock_path.unlink(missing_ok=True)
