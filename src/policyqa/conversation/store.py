"""Conversations and feedback, kept in an embedded SQLite database.

Every turn stores the question, the text retrieval searched (so a follow-up can build on
it) and the whole answer with its citations, so a session can be exported later exactly as
it was shown. A conversation belongs to whoever started it: starting one returns a secret
token, of which only a hash is kept, and reading, continuing or rating it over HTTP needs it.
Each call opens its own connection: the API serves requests from a thread pool, and SQLite
in WAL mode with a busy timeout keeps concurrent writers safe.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import sqlite3
import uuid
from contextlib import closing
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from policyqa.serialise import from_data, to_data
from policyqa.settings import Settings
from policyqa.types import Answer

SCHEMA = """
CREATE TABLE IF NOT EXISTS conversations (
    id TEXT PRIMARY KEY,
    created TEXT NOT NULL,
    token_hash TEXT
);
CREATE TABLE IF NOT EXISTS turns (
    id TEXT PRIMARY KEY,
    conversation_id TEXT NOT NULL REFERENCES conversations(id),
    position INTEGER NOT NULL,
    question TEXT NOT NULL,
    query TEXT NOT NULL,
    answer TEXT NOT NULL,
    created TEXT NOT NULL,
    UNIQUE (conversation_id, position)
);
CREATE TABLE IF NOT EXISTS feedback (
    id TEXT PRIMARY KEY,
    turn_id TEXT NOT NULL REFERENCES turns(id),
    rating INTEGER NOT NULL CHECK (rating IN (-1, 1)),
    comment TEXT NOT NULL,
    created TEXT NOT NULL
);
"""


class UnknownConversation(KeyError):
    """No conversation (or turn) with that id."""

    def __str__(self) -> str:
        return str(self.args[0])


@dataclass(frozen=True)
class Started:
    id: str
    token: str  # given once, to whoever started the conversation; only its hash is stored


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Turn:
    id: str
    conversation_id: str
    position: int
    question: str
    query: str  # what retrieval searched: the question, with the previous subject for a follow-up
    answer: Answer
    created: str


@dataclass(frozen=True)
class Feedback:
    id: str
    turn_id: str
    rating: int  # 1 helpful, -1 not helpful
    comment: str
    created: str


def default_path() -> Path:
    """$POLICYQA_DB, else $XDG_DATA_HOME/policyqa/conversations.sqlite3, else ~/.local/share/…"""
    return Settings.from_env().db


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class ConversationStore:
    def __init__(self, path: Path | None = None) -> None:
        self.path = Path(path) if path else default_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with closing(self._connect()) as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(SCHEMA)
            # Databases made before conversations had owners: their conversations get no token,
            # so nobody can open them over HTTP (the local CLI still can).
            if "token_hash" not in {row[1] for row in db.execute("PRAGMA table_info(conversations)")}:
                db.execute("ALTER TABLE conversations ADD COLUMN token_hash TEXT")

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        db.execute("PRAGMA foreign_keys=ON")
        db.execute("PRAGMA busy_timeout=30000")
        return db

    def new_conversation(self) -> Started:
        started = Started(uuid.uuid4().hex, secrets.token_urlsafe(32))
        with closing(self._connect()) as db:
            db.execute(
                "INSERT INTO conversations (id, created, token_hash) VALUES (?, ?, ?)", (started.id, _now(), _token_hash(started.token))
            )
        return started

    def authorise(self, conversation_id: str, token: str) -> None:
        """Raises UnknownConversation unless the conversation exists and the token is its own:
        a wrong token and an unknown id read the same, so ids cannot be probed."""
        with closing(self._connect()) as db:
            row = db.execute("SELECT token_hash FROM conversations WHERE id = ?", (conversation_id,)).fetchone()
        if row is None or not row[0] or not hmac.compare_digest(row[0], _token_hash(token)):
            raise UnknownConversation(f"no conversation '{conversation_id}'")

    def conversation_of(self, turn_id: str) -> str:
        with closing(self._connect()) as db:
            row = db.execute("SELECT conversation_id FROM turns WHERE id = ?", (turn_id,)).fetchone()
        if row is None:
            raise UnknownConversation(f"no answer '{turn_id}'")
        return row[0]

    def exists(self, conversation_id: str) -> bool:
        with closing(self._connect()) as db:
            return db.execute("SELECT 1 FROM conversations WHERE id = ?", (conversation_id,)).fetchone() is not None

    def last_turn(self, conversation_id: str) -> Turn | None:
        turns = self.turns(conversation_id, last=1)
        return turns[-1] if turns else None

    def turns(self, conversation_id: str, last: int | None = None) -> list[Turn]:
        if not self.exists(conversation_id):
            raise UnknownConversation(f"no conversation '{conversation_id}'")
        sql = (
            "SELECT id, conversation_id, position, question, query, answer, created FROM turns "
            "WHERE conversation_id = ? ORDER BY position DESC"
        )
        args: tuple = (conversation_id,)
        if last is not None:
            sql += " LIMIT ?"
            args += (last,)
        with closing(self._connect()) as db:
            rows = db.execute(sql, args).fetchall()
        return [Turn(r[0], r[1], r[2], r[3], r[4], from_data(Answer, json.loads(r[5])), r[6]) for r in reversed(rows)]

    def add_turn(self, conversation_id: str, question: str, query: str, answer: Answer) -> Turn:
        turn_id = uuid.uuid4().hex
        created = _now()
        with closing(self._connect()) as db:
            # BEGIN IMMEDIATE takes the write lock before reading the position, so two requests
            # on the same conversation cannot both claim the same place.
            db.execute("BEGIN IMMEDIATE")
            try:
                if db.execute("SELECT 1 FROM conversations WHERE id = ?", (conversation_id,)).fetchone() is None:
                    raise UnknownConversation(f"no conversation '{conversation_id}'")
                position = db.execute(
                    "SELECT COALESCE(MAX(position), 0) + 1 FROM turns WHERE conversation_id = ?", (conversation_id,)
                ).fetchone()[0]
                db.execute(
                    "INSERT INTO turns VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (turn_id, conversation_id, position, question, query, json.dumps(to_data(answer), ensure_ascii=False), created),
                )
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        return Turn(turn_id, conversation_id, position, question, query, answer, created)

    def add_feedback(self, turn_id: str, rating: int, comment: str = "") -> Feedback:
        if rating not in (-1, 1):
            raise ValueError("rating must be 1 (helpful) or -1 (not helpful)")
        feedback = Feedback(uuid.uuid4().hex, turn_id, rating, comment, _now())
        with closing(self._connect()) as db:
            if db.execute("SELECT 1 FROM turns WHERE id = ?", (turn_id,)).fetchone() is None:
                raise UnknownConversation(f"no answer '{turn_id}'")
            db.execute("INSERT INTO feedback VALUES (?, ?, ?, ?, ?)", tuple(asdict(feedback).values()))
        return feedback

    def feedback(self, turn_id: str | None = None) -> list[Feedback]:
        sql, args = "SELECT id, turn_id, rating, comment, created FROM feedback", ()
        if turn_id:
            sql, args = sql + " WHERE turn_id = ?", (turn_id,)
        with closing(self._connect()) as db:
            return [Feedback(*r) for r in db.execute(sql + " ORDER BY created, rowid", args).fetchall()]
