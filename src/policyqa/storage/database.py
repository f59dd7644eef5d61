"""The two backends behind one small interface: a transaction that runs SQL written once.

SQL is written with `?` placeholders (SQLite's); the PostgreSQL side turns them into `%s`.
A transaction either commits whole or not at all. `lock_row` is the clause that makes a
SELECT hold the rows it read until the transaction ends: SQLite has no row locks, so there a
writing transaction takes the database's write lock from its first statement instead.

A PostgreSQL server that cannot be reached (down, restarting, unreachable) raises
StorageUnavailable, which the API turns into a 503. The pool checks each connection before
lending it and opens new ones as needed, so the service recovers by itself once the server
is back.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from policyqa.storage.migrations import LATEST, MIGRATIONS


class StorageUnavailable(Exception):
    """The database cannot be reached now; the message says which and why."""


class Transaction(Protocol):
    def execute(self, sql: str, args: Sequence[Any] = ()) -> list[tuple]: ...


class Database(Protocol):
    dialect: str  # "sqlite" or "postgresql"
    lock_row: str  # appended to a SELECT whose rows the transaction goes on to change
    where: str  # for messages: the file or the server (without its password)

    def transaction(self, write: bool = True) -> Iterator[Transaction]: ...

    def close(self) -> None: ...


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def is_url(location: str | Path) -> bool:
    return str(location).startswith(("postgresql://", "postgres://"))


def open_database(location: str | Path, pool_size: int = 4) -> Database:
    """A PostgreSQL database for a postgresql:// URL, else the SQLite file at that path;
    migrated to the latest schema."""
    database: Database = PostgresDatabase(str(location), pool_size) if is_url(location) else SQLiteDatabase(Path(location))
    migrate(database)
    return database


def schema_version(database: Database) -> int:
    with database.transaction(write=False) as tx:
        if database.dialect == "sqlite":
            exists = tx.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'")
        else:
            exists = tx.execute("SELECT 1 FROM pg_tables WHERE tablename = 'schema_version' AND schemaname = current_schema()")
        if not exists:
            return 0
        row = tx.execute("SELECT MAX(version) FROM schema_version")
        return int(row[0][0] or 0)


def migrate(database: Database, upto: int = LATEST) -> int:
    """Apply the migrations after the database's version, up to `upto`; the version reached.
    Workers starting together each try: the version is read again under a lock, so each
    migration runs once."""
    current = schema_version(database)
    for migration in MIGRATIONS:
        if migration.version > upto or migration.version <= current:
            continue
        blob = "BLOB" if database.dialect == "sqlite" else "BYTEA"
        with database.transaction() as tx:
            if database.dialect == "postgresql":
                # Held to the end of this transaction: a second worker waits here, then skips.
                tx.execute("SELECT pg_advisory_xact_lock(5170041)")
            tx.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied TEXT NOT NULL)")
            done = tx.execute("SELECT MAX(version) FROM schema_version")[0][0] or 0
            if migration.version <= done:
                continue
            if migration.version == 1 and database.dialect == "sqlite":
                _adopt_unversioned(tx)
            for statement in migration.sql:
                tx.execute(statement.format(blob=blob))
            tx.execute("INSERT INTO schema_version (version, applied) VALUES (?, ?)", (migration.version, now()))
    return schema_version(database)


def _adopt_unversioned(tx: Transaction) -> None:
    # SQLite files made before migrations existed have the tables of migration 1, some without
    # conversations.token_hash: their conversations get no token, so nobody can open them over
    # HTTP (the local CLI still can).
    columns = {row[1] for row in tx.execute("PRAGMA table_info(conversations)")}
    if columns and "token_hash" not in columns:
        tx.execute("ALTER TABLE conversations ADD COLUMN token_hash TEXT")


class _SQLiteTransaction:
    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def execute(self, sql: str, args: Sequence[Any] = ()) -> list[tuple]:
        return self._db.execute(sql, tuple(args)).fetchall()


class SQLiteDatabase:
    """One connection per transaction: the API answers from a thread pool, and SQLite in WAL
    mode with a busy timeout keeps concurrent writers safe."""

    dialect = "sqlite"
    lock_row = ""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.where = str(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        with closing(self._connect()) as db:
            db.execute("PRAGMA journal_mode=WAL")

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        db.execute("PRAGMA foreign_keys=ON")
        db.execute("PRAGMA busy_timeout=30000")
        return db

    @contextmanager
    def transaction(self, write: bool = True) -> Iterator[Transaction]:
        with closing(self._connect()) as db:
            # IMMEDIATE takes the write lock before the first read, so a read-then-write (the
            # next turn's position) cannot interleave with another writer's; a read-only
            # transaction takes none, and WAL lets it read beside a writer.
            db.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            try:
                yield _SQLiteTransaction(db)
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    def close(self) -> None:
        pass


_PLACEHOLDER = re.compile(r"\?")


class _PostgresTransaction:
    def __init__(self, connection) -> None:
        self._connection = connection

    def execute(self, sql: str, args: Sequence[Any] = ()) -> list[tuple]:
        cursor = self._connection.execute(_PLACEHOLDER.sub("%s", sql), tuple(args))
        return cursor.fetchall() if cursor.description else []


def _redacted(url: str) -> str:
    return re.sub(r"(://[^:/@]+):[^@]*@", r"\1:***@", url)


class PostgresDatabase:
    """A pool of psycopg 3 connections to one PostgreSQL database."""

    dialect = "postgresql"
    lock_row = " FOR UPDATE"

    def __init__(self, url: str, pool_size: int = 4, timeout: float = 5.0) -> None:
        import psycopg
        from psycopg_pool import ConnectionPool, PoolTimeout

        # A server gone mid-query, a closed connection, or no connection free in time.
        self._errors = (psycopg.OperationalError, psycopg.InterfaceError, PoolTimeout)
        self.where = _redacted(url)
        # Not waiting for the first connection: a service whose database is down still starts,
        # serves search, and answers 503 on what needs the database until it is back.
        self._pool = ConnectionPool(
            url,
            min_size=1,
            max_size=max(1, pool_size),
            timeout=timeout,
            check=ConnectionPool.check_connection,
            kwargs={"connect_timeout": max(1, int(timeout))},
            open=False,
            name="policyqa",
        )
        self._pool.open(wait=False)

    @contextmanager
    def transaction(self, write: bool = True) -> Iterator[Transaction]:
        # Row locks (lock_row) do the work SQLite's write lock does; `write` changes nothing here.
        try:
            with self._pool.connection() as connection, connection.transaction():
                yield _PostgresTransaction(connection)
        except self._errors as exc:
            raise StorageUnavailable(f"the database at {self.where} cannot be reached ({type(exc).__name__}: {_first_line(exc)})") from exc

    def close(self) -> None:
        self._pool.close()


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else "no detail"
