"""The schema's migrations, on both backends: from an empty database, and from a database
left at the previous version with data in it, which must come through unchanged."""

from __future__ import annotations

import threading

import pytest

from policyqa.conversation.store import ConversationStore
from policyqa.storage.database import PostgresDatabase, SQLiteDatabase, StorageUnavailable, migrate, open_database, schema_version
from policyqa.storage.migrations import LATEST, MIGRATIONS
from policyqa.types import Answer


@pytest.fixture(params=["sqlite", "postgresql"])
def raw(request, tmp_path):
    """An unmigrated database of each backend."""
    if request.param == "sqlite":
        return SQLiteDatabase(tmp_path / "db.sqlite3")
    return PostgresDatabase(request.getfixturevalue("postgres_url"))


def _tables(database) -> set[str]:
    with database.transaction() as tx:
        if database.dialect == "sqlite":
            return {r[0] for r in tx.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        return {r[0] for r in tx.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")}


def test_an_empty_database_is_migrated_to_the_latest_version(raw):
    assert schema_version(raw) == 0 and not _tables(raw)
    assert migrate(raw) == LATEST == len(MIGRATIONS)
    assert {"schema_version", "conversations", "turns", "feedback", "index_builds", "index_parts", "index_current"} <= _tables(raw)
    assert migrate(raw) == LATEST  # again: nothing to do


def test_a_database_at_the_previous_version_is_migrated_and_keeps_its_data(raw):
    assert migrate(raw, upto=LATEST - 1) == LATEST - 1
    assert "index_current" not in _tables(raw)
    store = ConversationStore(raw)  # an open database is used as it is, not migrated
    started = store.new_conversation()
    turn = store.add_turn(started.id, "q", "q", Answer("a", "en", (), False))
    assert migrate(raw) == LATEST
    assert store.turns(started.id) == [turn]
    store.authorise(started.id, started.token)
    with raw.transaction() as tx:
        assert [r[0] for r in tx.execute("SELECT version FROM schema_version ORDER BY version")] == list(range(1, LATEST + 1))


def test_workers_starting_together_apply_each_migration_once(postgres_url):
    errors: list[BaseException] = []

    def start() -> None:
        try:
            open_database(postgres_url).close()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=start) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    database = open_database(postgres_url)
    with database.transaction() as tx:
        assert tx.execute("SELECT COUNT(*), COUNT(DISTINCT version) FROM schema_version")[0] == (LATEST, LATEST)


def test_an_unreachable_server_is_a_clear_storage_error_not_a_crash():
    from service_helpers import free_port

    database = PostgresDatabase(f"postgresql://nobody:secret@127.0.0.1:{free_port()}/none", timeout=1)
    with pytest.raises(StorageUnavailable) as caught:
        with database.transaction() as tx:
            tx.execute("SELECT 1")
    message = str(caught.value)
    assert "cannot be reached" in message and "secret" not in message and "nobody:***@" in message
    database.close()
