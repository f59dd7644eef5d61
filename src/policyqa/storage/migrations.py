"""The schema, as numbered migrations applied in order, the same for both backends.

A database records the last migration applied in `schema_version`; opening one applies the
missing ones, each in its own transaction, so a database at any earlier version (or empty)
ends at the latest. `{blob}` stands for the dialect's binary type. Never edit a migration
that has shipped: add the next one.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Migration:
    version: int
    what: str
    sql: tuple[str, ...]


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "conversations, their turns and feedback",
        (
            """CREATE TABLE IF NOT EXISTS conversations (
                id TEXT PRIMARY KEY,
                created TEXT NOT NULL,
                token_hash TEXT
            )""",
            """CREATE TABLE IF NOT EXISTS turns (
                id TEXT PRIMARY KEY,
                conversation_id TEXT NOT NULL REFERENCES conversations(id),
                position INTEGER NOT NULL,
                question TEXT NOT NULL,
                query TEXT NOT NULL,
                answer TEXT NOT NULL,
                created TEXT NOT NULL,
                UNIQUE (conversation_id, position)
            )""",
            """CREATE TABLE IF NOT EXISTS feedback (
                id TEXT PRIMARY KEY,
                turn_id TEXT NOT NULL REFERENCES turns(id),
                rating INTEGER NOT NULL CHECK (rating IN (-1, 1)),
                comment TEXT NOT NULL,
                created TEXT NOT NULL
            )""",
        ),
    ),
    Migration(
        2,
        "published index builds (manifest and parts) and which one every worker serves",
        (
            """CREATE TABLE IF NOT EXISTS index_builds (
                build_id TEXT PRIMARY KEY,
                manifest TEXT NOT NULL,
                note TEXT NOT NULL,
                published TEXT NOT NULL
            )""",
            # A part in pieces of at most a few MB, so neither side holds a whole index in one value.
            """CREATE TABLE IF NOT EXISTS index_parts (
                build_id TEXT NOT NULL REFERENCES index_builds(build_id) ON DELETE CASCADE,
                name TEXT NOT NULL,
                piece INTEGER NOT NULL,
                data {blob} NOT NULL,
                PRIMARY KEY (build_id, name, piece)
            )""",
            # One row (id = 1): the build every worker serves.
            """CREATE TABLE IF NOT EXISTS index_current (
                id INTEGER PRIMARY KEY CHECK (id = 1),
                build_id TEXT NOT NULL,
                switched TEXT NOT NULL
            )""",
        ),
    ),
)

LATEST = MIGRATIONS[-1].version
