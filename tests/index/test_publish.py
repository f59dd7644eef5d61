"""Publishing a build so every worker serves it: on PostgreSQL with its parts (fetched and
checked by sha256 on a machine that lacks them), on SQLite by id only."""

from __future__ import annotations

import pytest
from index_fixtures import _build

from policyqa.index import publish as pub
from policyqa.index.store import IndexDamagedError, IndexMissingError, current_folder, damage, read_manifest
from policyqa.storage.database import open_database


def test_a_build_published_to_postgresql_is_fetched_whole_by_a_machine_without_it(tmp_path, postgres_url, monkeypatch):
    monkeypatch.setattr(pub, "PIECE_BYTES", 1000)  # several pieces a part, and a last short one
    database = open_database(postgres_url)
    folder = _build(tmp_path / "a")
    build_id = pub.publish(database, folder, "built here")
    assert pub.published(database) == (build_id, "built here")
    fetched = pub.fetch(database, build_id, tmp_path / "b")
    assert current_folder(tmp_path / "b") == fetched.resolve()
    assert read_manifest(fetched) == read_manifest(folder) and damage(fetched, read_manifest(fetched)) == []
    for name in read_manifest(folder).parts:
        assert (fetched / name).read_bytes() == (folder / name).read_bytes(), name


def test_a_part_altered_in_the_database_is_refused_and_leaves_nothing_behind(tmp_path, postgres_url):
    database = open_database(postgres_url)
    build_id = pub.publish(database, _build(tmp_path / "a"))
    with database.transaction() as tx:
        tx.execute("UPDATE index_parts SET data = ? WHERE build_id = ? AND name = 'passages.jsonl' AND piece = 0", (b"{}", build_id))
    with pytest.raises(IndexDamagedError, match="passages.jsonl"):
        pub.fetch(database, build_id, tmp_path / "b")
    assert [p.name for p in (tmp_path / "b" / "builds").iterdir()] == [] and not (tmp_path / "b" / "current").exists()


def test_on_sqlite_only_the_id_travels(tmp_path):
    database = open_database(tmp_path / "db.sqlite3")
    folder = _build(tmp_path / "a")
    build_id = pub.publish(database, folder)
    assert pub.published(database)[0] == build_id
    assert pub.fetch(database, build_id, tmp_path / "a") == folder  # the shared folder holds it
    with pytest.raises(IndexMissingError, match="neither in"):
        pub.fetch(database, build_id, tmp_path / "elsewhere")


def test_only_the_latest_builds_stay_published(tmp_path, postgres_url):
    database = open_database(postgres_url)
    ids = []
    for n in range(pub.KEEP_PUBLISHED + 2):
        folder = _build(tmp_path / f"m{n}")
        # Distinct ids although built within one second: the build id is the folder's name.
        renamed = folder.rename(folder.with_name(f"2026010{n}T000000-test"))
        manifest = (renamed / "manifest.json").read_text().replace(folder.name, renamed.name)
        (renamed / "manifest.json").write_text(manifest)
        ids.append(pub.publish(database, renamed))
    with database.transaction() as tx:
        kept = {r[0] for r in tx.execute("SELECT build_id FROM index_builds")}
        pieces = {r[0] for r in tx.execute("SELECT DISTINCT build_id FROM index_parts")}
    assert kept == pieces == set(ids[-pub.KEEP_PUBLISHED :]) and pub.published(database)[0] == ids[-1]
