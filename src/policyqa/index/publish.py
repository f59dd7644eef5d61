"""Publishing a finished build so that every worker on every machine serves it.

The database records which build is current (`index_current`). On PostgreSQL the build's
parts travel with it (`index_parts`, in pieces), so a replica without a shared disk fetches
them, checks each against the manifest's sha256 and only then serves them. On SQLite, which
lives on one machine, only the id is recorded: the workers share the index folder.

Workers poll the current id (Service.follow_published) and switch when it changes, so a
reload or a finished rebuild reaches all of them, whichever received it.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import asdict
from pathlib import Path

from policyqa.index.staging import staged
from policyqa.index.store import IndexDamagedError, IndexMissingError, damage, point_current, read_manifest
from policyqa.storage.database import Database, now

PIECE_BYTES = 4 << 20
KEEP_PUBLISHED = 3  # the current build and the two before it, to switch back to


def carries_parts(database: Database) -> bool:
    """Whether builds travel inside the database (PostgreSQL), or only their id (SQLite)."""
    return database.dialect == "postgresql"


def publish(database: Database, folder: Path, note: str = "") -> str:
    """Record `folder`'s build (with its parts on PostgreSQL) and make it the current one; its id.
    One transaction: a worker sees the previous build or this whole one, never part of it."""
    manifest = read_manifest(folder)
    problems = damage(folder, manifest)
    if problems:
        raise IndexDamagedError(f"the index {folder.name} is damaged ({'; '.join(problems)}): it is not published")
    build_id = manifest.build_id
    with database.transaction() as tx:
        if not tx.execute("SELECT 1 FROM index_builds WHERE build_id = ?", (build_id,)):
            tx.execute(
                "INSERT INTO index_builds (build_id, manifest, note, published) VALUES (?, ?, ?, ?)",
                (build_id, json.dumps(asdict(manifest)), note, now()),
            )
            if carries_parts(database):
                for name in sorted(manifest.parts):
                    with (folder / name).open("rb") as handle:
                        piece = 0
                        # An empty part still gets its one (empty) piece, so it is fetched too.
                        while (block := handle.read(PIECE_BYTES)) or piece == 0:
                            tx.execute(
                                "INSERT INTO index_parts (build_id, name, piece, data) VALUES (?, ?, ?, ?)", (build_id, name, piece, block)
                            )
                            piece += 1
        elif note:
            tx.execute("UPDATE index_builds SET note = ? WHERE build_id = ?", (note, build_id))
        tx.execute(
            "INSERT INTO index_current (id, build_id, switched) VALUES (1, ?, ?) "
            "ON CONFLICT (id) DO UPDATE SET build_id = excluded.build_id, switched = excluded.switched",
            (build_id, now()),
        )
        old = tx.execute("SELECT build_id FROM index_builds WHERE build_id <> ? ORDER BY published DESC, build_id DESC", (build_id,))
        for (stale,) in old[KEEP_PUBLISHED - 1 :]:
            tx.execute("DELETE FROM index_parts WHERE build_id = ?", (stale,))
            tx.execute("DELETE FROM index_builds WHERE build_id = ?", (stale,))
    return build_id


def published(database: Database) -> tuple[str, str] | None:
    """The current build's id and the note it was published with; None before any publish."""
    with database.transaction(write=False) as tx:
        rows = tx.execute(
            "SELECT c.build_id, COALESCE(b.note, '') FROM index_current c "
            "LEFT JOIN index_builds b ON b.build_id = c.build_id WHERE c.id = 1"
        )
    return (rows[0][0], rows[0][1]) if rows else None


def fetch(database: Database, build_id: str, root: Path) -> Path:
    """The build's folder under `root`, fetched from the database unless a sound copy is
    already there; the local `current` link then points at it."""
    final = root / "builds" / build_id
    if _sound(final):
        point_current(root, final)
        return final
    with database.transaction(write=False) as tx:
        rows = tx.execute("SELECT manifest FROM index_builds WHERE build_id = ?", (build_id,))
        carried = bool(tx.execute("SELECT 1 FROM index_parts WHERE build_id = ? LIMIT 1", (build_id,)))
    if not rows or not carried:
        raise IndexMissingError(
            f"the published index {build_id} is neither in {root / 'builds'} nor in the database: "
            "build it here with `policyqa index build`, or publish it from PostgreSQL"
        )
    with staged(root, build_id, IndexMissingError) as staging:
        (staging / "manifest.json").write_text(json.dumps(json.loads(rows[0][0]), indent=2), encoding="utf-8")
        for name in read_manifest(staging).parts:
            target = staging / name
            target.parent.mkdir(parents=True, exist_ok=True)
            with target.open("wb") as handle:
                # One piece per query: a part is never held whole in memory.
                piece = 0
                while True:
                    with database.transaction(write=False) as tx:
                        data = tx.execute(
                            "SELECT data FROM index_parts WHERE build_id = ? AND name = ? AND piece = ?", (build_id, name, piece)
                        )
                    if not data:
                        break
                    handle.write(bytes(data[0][0]))
                    piece += 1
        problems = damage(staging, read_manifest(staging))
        if problems:
            raise IndexDamagedError(f"the index {build_id} fetched from the database is damaged ({'; '.join(problems)})")
        if _sound(final):  # another worker of this machine fetched it meanwhile
            shutil.rmtree(staging)
        else:
            shutil.rmtree(final, ignore_errors=True)  # an unsound local copy
            os.replace(staging, final)
    point_current(root, final)
    return final


def _sound(folder: Path) -> bool:
    if not folder.is_dir():
        return False
    try:
        return not damage(folder, read_manifest(folder))
    except IndexMissingError:  # no readable manifest
        return False
