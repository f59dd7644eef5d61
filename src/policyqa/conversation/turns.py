"""One turn of a conversation: the question read against the previous turn, then stored
with its answer. The answerers stay unaware of conversations; they get the search text.
"""

from __future__ import annotations

from dataclasses import dataclass

from policyqa.conversation.followup import contextualise
from policyqa.conversation.store import ConversationStore, Turn
from policyqa.text import language
from policyqa.types import Answer


@dataclass(frozen=True)
class TurnPlan:
    conversation_id: str
    question: str
    query: str  # what the answerer searches and quotes against
    lang: str | None  # explicit, or inherited from the conversation; None lets the answerer detect
    follow_up: bool
    token: str = ""  # the new conversation's token, when this turn started one


def plan_turn(store: ConversationStore, conversation_id: str | None, question: str, lang: str | None = None) -> TurnPlan:
    """Raises UnknownConversation for an id the store does not hold."""
    question = " ".join(question.split())
    if conversation_id is None:
        started = store.new_conversation()
        return TurnPlan(started.id, question, question, lang, False, started.token)
    previous = store.last_turn(conversation_id)
    if previous is None:
        return TurnPlan(conversation_id, question, question, lang, False)
    # A short follow-up ("and for women?") is a weak clue; the conversation's language is better.
    guessed = language.confident(question) or previous.answer.lang
    context = contextualise(question, previous.query, lang or guessed)
    if lang is None and context.follow_up and previous.answer.lang in language.SUPPORTED:
        # A follow-up keeps the conversation's language unless it clearly switches.
        lang = guessed if guessed in language.SUPPORTED else previous.answer.lang
    return TurnPlan(conversation_id, question, context.query, lang, context.follow_up)


def record(store: ConversationStore, plan: TurnPlan, answer: Answer) -> Turn:
    return store.add_turn(plan.conversation_id, plan.question, plan.query, answer)
