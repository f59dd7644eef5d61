"""Conversations and feedback, kept in the configured database (SQLite or PostgreSQL).

Every turn stores the question, the text retrieval searched (so a follow-up can build on
it) and the whole answer with its citations, so a session can be exported later exactly as
it was shown. A conversation belongs to whoever started it: starting one returns a secret
token, of which only a hash is kept, and reading, continuing or rating it over HTTP needs it.
Each call is one transaction of its own (storage/database.py), so the API's threads, its
workers and other machines sharing a PostgreSQL database can write at once.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path

from policyqa.serialise import from_data, to_data
from policyqa.settings import Settings
from policyqa.storage.database import Database, now, open_database
from policyqa.types import Answer


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
    return Path(Settings.from_env().db)


class ConversationStore:
    def __init__(self, location: str | Path | Database | None = None) -> None:
        """`location`: an open database, a postgresql:// URL or a SQLite file (default: $POLICYQA_DB)."""
        if location is None:
            location = Settings.from_env().db
        self.database: Database = location if hasattr(location, "transaction") else open_database(location)

    def new_conversation(self) -> Started:
        started = Started(uuid.uuid4().hex, secrets.token_urlsafe(32))
        with self.database.transaction() as tx:
            tx.execute(
                "INSERT INTO conversations (id, created, token_hash) VALUES (?, ?, ?)", (started.id, now(), _token_hash(started.token))
            )
        return started

    def authorise(self, conversation_id: str, token: str) -> None:
        """Raises UnknownConversation unless the conversation exists and the token is its own:
        a wrong token and an unknown id read the same, so ids cannot be probed."""
        with self.database.transaction(write=False) as tx:
            rows = tx.execute("SELECT token_hash FROM conversations WHERE id = ?", (conversation_id,))
        if not rows or not rows[0][0] or not hmac.compare_digest(rows[0][0], _token_hash(token)):
            raise UnknownConversation(f"no conversation '{conversation_id}'")

    def conversation_of(self, turn_id: str) -> str:
        with self.database.transaction(write=False) as tx:
            rows = tx.execute("SELECT conversation_id FROM turns WHERE id = ?", (turn_id,))
        if not rows:
            raise UnknownConversation(f"no answer '{turn_id}'")
        return rows[0][0]

    def exists(self, conversation_id: str) -> bool:
        with self.database.transaction(write=False) as tx:
            return bool(tx.execute("SELECT 1 FROM conversations WHERE id = ?", (conversation_id,)))

    def last_turn(self, conversation_id: str) -> Turn | None:
        turns = self.turns(conversation_id, last=1)
        return turns[-1] if turns else None

    def turns(self, conversation_id: str, last: int | None = None) -> list[Turn]:
        sql = (
            "SELECT id, conversation_id, position, question, query, answer, created FROM turns "
            "WHERE conversation_id = ? ORDER BY position DESC"
        )
        args: tuple = (conversation_id,)
        if last is not None:
            sql += " LIMIT ?"
            args += (last,)
        with self.database.transaction(write=False) as tx:
            if not tx.execute("SELECT 1 FROM conversations WHERE id = ?", (conversation_id,)):
                raise UnknownConversation(f"no conversation '{conversation_id}'")
            rows = tx.execute(sql, args)
        return [Turn(r[0], r[1], r[2], r[3], r[4], from_data(Answer, json.loads(r[5])), r[6]) for r in reversed(rows)]

    def add_turn(self, conversation_id: str, question: str, query: str, answer: Answer) -> Turn:
        turn_id = uuid.uuid4().hex
        created = now()
        with self.database.transaction() as tx:
            # The conversation's row is locked before the position is read, so two requests on
            # the same conversation cannot both claim the same place.
            if not tx.execute("SELECT 1 FROM conversations WHERE id = ?" + self.database.lock_row, (conversation_id,)):
                raise UnknownConversation(f"no conversation '{conversation_id}'")
            position = tx.execute("SELECT COALESCE(MAX(position), 0) + 1 FROM turns WHERE conversation_id = ?", (conversation_id,))[0][0]
            tx.execute(
                "INSERT INTO turns (id, conversation_id, position, question, query, answer, created) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (turn_id, conversation_id, position, question, query, json.dumps(to_data(answer), ensure_ascii=False), created),
            )
        return Turn(turn_id, conversation_id, position, question, query, answer, created)

    def add_feedback(self, turn_id: str, rating: int, comment: str = "") -> Feedback:
        if rating not in (-1, 1):
            raise ValueError("rating must be 1 (helpful) or -1 (not helpful)")
        feedback = Feedback(uuid.uuid4().hex, turn_id, rating, comment, now())
        with self.database.transaction() as tx:
            if not tx.execute("SELECT 1 FROM turns WHERE id = ?", (turn_id,)):
                raise UnknownConversation(f"no answer '{turn_id}'")
            tx.execute(
                "INSERT INTO feedback (id, turn_id, rating, comment, created) VALUES (?, ?, ?, ?, ?)", tuple(asdict(feedback).values())
            )
        return feedback

    def feedback(self, turn_id: str | None = None) -> list[Feedback]:
        sql, args = "SELECT id, turn_id, rating, comment, created FROM feedback", ()
        if turn_id:
            sql, args = sql + " WHERE turn_id = ?", (turn_id,)
        with self.database.transaction(write=False) as tx:
            # Feedback given in the same second is listed by id (no insertion order in PostgreSQL).
            return [Feedback(*r) for r in tx.execute(sql + " ORDER BY created, id", args)]
