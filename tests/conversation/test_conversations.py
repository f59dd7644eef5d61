"""The conversation store, on both backends (SQLite, and a real PostgreSQL server the suite
starts), and how a follow-up is read against the previous turn."""

from __future__ import annotations

import sqlite3
import threading

import pytest

from policyqa.conversation import turns as chat
from policyqa.conversation.followup import contextualise, is_follow_up, rewrite
from policyqa.conversation.store import ConversationStore, UnknownConversation
from policyqa.types import Answer, Citation

CITATION = Citation("[1]", "p1", "udhr-fr", "DUDH", "", "Article 14", "3", "Devant la persécution…", "fr", "p2")


@pytest.fixture(params=["sqlite", "postgresql"])
def location(request, tmp_path):
    """Where a store keeps its data: a SQLite file, or a fresh database on a real PostgreSQL server."""
    if request.param == "sqlite":
        return tmp_path / "db.sqlite3"
    return request.getfixturevalue("postgres_url")


def _answer(lang: str = "fr", text: str = "Selon DUDH, Article 14 : « … » [1]") -> Answer:
    return Answer(text, lang, (CITATION,), True, timings_ms=(("embed", 1.5),))


def test_turns_come_back_exactly_as_stored(location):
    store = ConversationStore(location)
    conversation = store.new_conversation().id
    turn = store.add_turn(conversation, "Droit d'asile ?", "Droit d'asile ?", _answer())
    again = ConversationStore(location).turns(conversation)
    assert again == [turn] and again[0].answer.citations[0] == CITATION and again[0].position == 1
    assert store.last_turn(conversation) == turn
    assert store.last_turn(store.new_conversation().id) is None


def test_a_conversation_opens_only_with_its_own_token(tmp_path):
    store = ConversationStore(tmp_path / "db.sqlite3")
    mine, theirs = store.new_conversation(), store.new_conversation()
    assert len(mine.token) >= 40 and mine.token != theirs.token
    store.authorise(mine.id, mine.token)
    for conversation, token in ((mine.id, theirs.token), (mine.id, ""), ("nope", mine.token)):
        with pytest.raises(UnknownConversation):
            store.authorise(conversation, token)
    # Only a hash is kept: the database alone does not give the token away.
    with sqlite3.connect(tmp_path / "db.sqlite3") as db:
        assert mine.token not in str(db.execute("SELECT * FROM conversations").fetchall())
    turn = store.add_turn(mine.id, "q", "q", _answer())
    assert store.conversation_of(turn.id) == mine.id


def test_a_database_from_before_owners_is_upgraded_and_its_conversations_stay_closed(tmp_path):
    with sqlite3.connect(tmp_path / "old.sqlite3") as db:
        db.execute("CREATE TABLE conversations (id TEXT PRIMARY KEY, created TEXT NOT NULL)")
        db.execute("INSERT INTO conversations VALUES ('old', '2026-01-01T00:00:00+00:00')")
    store = ConversationStore(tmp_path / "old.sqlite3")
    assert store.turns("old") == []  # still readable locally (the CLI's session record)
    with pytest.raises(UnknownConversation):
        store.authorise("old", "")
    store.authorise((new := store.new_conversation()).id, new.token)


def test_unknown_ids_are_refused(location):
    store = ConversationStore(location)
    with pytest.raises(UnknownConversation):
        store.turns("nope")
    with pytest.raises(UnknownConversation):
        store.add_turn("nope", "q", "q", _answer())
    with pytest.raises(UnknownConversation):
        store.add_feedback("nope", 1)
    with pytest.raises(ValueError):
        store.add_feedback("nope", 3)


def test_concurrent_writers_lose_nothing_and_never_share_a_position(location):
    store = ConversationStore(location)
    conversation = store.new_conversation().id
    errors: list[BaseException] = []

    def ask(n: int) -> None:
        try:
            for i in range(10):
                turn = store.add_turn(conversation, f"q{n}-{i}", f"q{n}-{i}", _answer())
                store.add_feedback(turn.id, 1, f"ok {n}")
        except BaseException as exc:  # surfaced below: a thread's failure must fail the test
            errors.append(exc)

    threads = [threading.Thread(target=ask, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    turns = store.turns(conversation)
    assert sorted(t.position for t in turns) == list(range(1, 81))
    assert len({t.question for t in turns}) == 80 and len(store.feedback()) == 80
    if store.database.dialect == "sqlite":
        with sqlite3.connect(location) as db:
            assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


@pytest.mark.parametrize(
    "question, lang, expected",
    [
        ("et pour les enfants ?", "fr", True),
        ("Et ces droits ?", "fr", True),
        ("Que dit-il sur le retour ?", "fr", True),
        ("What about children?", "en", True),
        ("Is it binding?", "en", True),
        ("Quelles garanties pour les migrants en détention ?", "fr", False),
        ("Qu’est-ce que le non-refoulement ?", "fr", False),
        ("Which GCM objective covers consular protection?", "en", False),
        ("Article 33", "en", False),
    ],
)
def test_what_reads_as_a_follow_up(question, lang, expected):
    assert is_follow_up(question, lang) is expected


def test_a_follow_up_is_searched_with_the_previous_subject():
    merged = contextualise("et quelles obligations ?", "Quelles garanties pour les migrants en détention ?", "fr")
    assert merged.follow_up and merged.query == "Quelles garanties pour les migrants en détention ? et quelles obligations ?"
    alone = contextualise("Qu’est-ce que le non-refoulement ?", "Quelles garanties en détention ?", "fr")
    assert not alone.follow_up and alone.query == "Qu’est-ce que le non-refoulement ?"
    long_chain = contextualise("and for women?", " ".join(["word"] * 500), "en")
    assert len(long_chain.query.split()) <= 120 and long_chain.query.endswith("and for women?")
    # Long words: the merged text stays within what the search accepts.
    wide = contextualise("and for women?", " ".join(["x" * 40] * 100), "en")
    assert len(wide.query) <= 2000 and wide.query.endswith("and for women?")
    near_limit = contextualise("et pour les enfants ? " + "y" * 1970, "Quelles garanties en détention ?", "fr")
    assert len(near_limit.query) <= 2000


@pytest.mark.parametrize(
    "question, previous, expected",
    [
        (
            "et pour les femmes ?",
            "Le Pacte mondial prévoit-il la détention des enfants ?",
            "Le Pacte mondial prévoit-il la détention des femmes ?",
        ),
        ("and for women?", "Does the Compact allow the detention of children?", "Does the Compact allow the detention of women?"),
        (
            "what about return?",
            "What does the Compact say about detention of children?",
            "What does the Compact say about return of children?",
        ),
        (
            "et pour les enfants ?",
            "Quelles garanties pour les migrants en détention ?",
            "Quelles garanties pour les enfants en détention ?",
        ),
    ],
)
def test_a_follow_up_naming_a_new_aspect_is_rewritten_as_a_standalone_question(question, previous, expected):
    rewritten = contextualise(question, previous, "fr" if "?" in question and " ?" in question else "en")
    assert rewritten.follow_up and rewritten.query == expected


def test_a_follow_up_without_an_aspect_of_the_same_kind_is_not_rewritten():
    assert rewrite("Is it binding?", "What does the Compact say about detention?") is None
    # Two old aspects of the kind: which one the asker means is unclear, so nothing is replaced.
    assert rewrite("and for women?", "Are children and refugees protected?") is None


def test_a_short_follow_up_keeps_the_conversations_language(tmp_path):
    store = ConversationStore(tmp_path / "db.sqlite3")
    first = chat.plan_turn(store, None, "What does the Compact say about detention?")
    assert not first.follow_up and first.lang is None
    chat.record(store, first, _answer("en"))
    # "and for women?" is too short for lingua to be sure; the conversation was in English.
    second = chat.plan_turn(store, first.conversation_id, "and for women?")
    assert second.follow_up and second.lang == "en"
    assert second.query == "What does the Compact say about detention? and for women?"
    # An explicit language always wins.
    assert chat.plan_turn(store, first.conversation_id, "and for women?", lang="fr").lang == "fr"
    with pytest.raises(UnknownConversation):
        chat.plan_turn(store, "nope", "and for women?")
