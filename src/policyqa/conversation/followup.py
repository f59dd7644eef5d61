"""Follow-up questions in a conversation: "et pour les enfants ?" after a question on
detention means "detention of children". Retrieval needs the whole topic, so a question that
leans on the previous turn is searched together with that turn's own search text.

Heuristic on purpose: it must work without an LLM (the default mode) and be predictable for
delegates. A question that names its own subject is never merged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from policyqa.retrieve.retriever import MAX_QUERY_CHARS
from policyqa.text.analysis import analyse

# Openers that only make sense as a continuation of what was just asked.
_OPENERS = re.compile(
    r"^\s*(?:"
    r"et\b|mais\b|qu['’]en est-il|quid\b|même question|pareil|aussi\b|dans ce cas|idem\b|"
    r"and\b|but\b|what about|how about|same (?:question|for)|also\b|in that case|what of\b"
    r")",
    re.I,
)
# Words that point back to the previous turn's subject.
_ANAPHORA = {
    # Not "en", "y" or "ce": far more often a preposition or part of "qu'est-ce" than a pointer.
    "fr": {"il", "elle", "ils", "elles", "cela", "ça", "cet", "cette", "ces", "celui", "celle", "ceux", "celles"},
    "en": {"it", "its", "they", "them", "their", "this", "that", "these", "those", "such", "same"},
}
# A question with this many content words or more carries its own subject.
_SELF_CONTAINED = 5
_MAX_QUERY_WORDS = 120


@dataclass(frozen=True)
class Contextualised:
    query: str  # what retrieval searches
    follow_up: bool  # True when the previous turn's subject was added


def contextualise(question: str, previous_query: str | None, lang: str) -> Contextualised:
    """The search text for `question`, given the search text of the previous turn (if any)."""
    question = " ".join(question.split())
    if not previous_query or not is_follow_up(question, lang):
        return Contextualised(question, False)
    previous = previous_query.split()
    # Keep the most recent words when a chain of follow-ups grows long, within the search's
    # own length limit, so a valid follow-up is never refused for its predecessor's length.
    room = max(0, _MAX_QUERY_WORDS - len(question.split()))
    kept = previous[-room:] if room else []
    while kept and len(" ".join(kept)) + 1 + len(question) > MAX_QUERY_CHARS:
        kept = kept[1:]
    return Contextualised(" ".join(kept + [question]), True)


def is_follow_up(question: str, lang: str) -> bool:
    if _OPENERS.match(question):
        return True
    content = analyse(question, lang) if lang in ("fr", "en") else question.split()
    if len(content) >= _SELF_CONTAINED:
        return False
    words = set(re.findall(r"[^\W\d_]+", question.lower()))
    return bool(words & _ANAPHORA.get(lang, set())) or len(content) <= 1
