"""Follow-up questions in a conversation: "et pour les femmes ?" after « Le Pacte prévoit-il
la détention des enfants ? » means « Le Pacte prévoit-il la détention des femmes ? ». A
follow-up that names a new aspect of the same kind as one of the previous question (another
group of people, another measure) is rewritten as a standalone question, the new aspect
replacing the old; any other follow-up is searched together with the previous search text.

Heuristic on purpose: it must work without an LLM (the default mode) and be predictable for
delegates. A question that names its own subject is never merged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from policyqa.retrieve.retriever import MAX_QUERY_CHARS
from policyqa.text.analysis import analyse, fold

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


# Aspects a follow-up swaps for one another: groups of people, and measures. A word is
# matched on its folded form; the asker's own word replaces the previous question's.
_KINDS = (
    {
        "enfant",
        "enfants",
        "mineur",
        "mineurs",
        "mineure",
        "mineures",
        "child",
        "children",
        "minor",
        "minors",
        "femme",
        "femmes",
        "woman",
        "women",
        "fille",
        "filles",
        "girl",
        "girls",
        "homme",
        "hommes",
        "man",
        "men",
        "refugie",
        "refugies",
        "refugee",
        "refugees",
        "travailleur",
        "travailleurs",
        "travailleuse",
        "travailleuses",
        "worker",
        "workers",
        "victime",
        "victimes",
        "victim",
        "victims",
        "apatride",
        "apatrides",
        "stateless",
        "famille",
        "familles",
        "family",
        "families",
        "migrant",
        "migrants",
        "migrante",
        "migrantes",
    },
    {
        "detention",
        "retention",
        "expulsion",
        "expulsions",
        "retour",
        "retours",
        "return",
        "returns",
        "eloignement",
        "removal",
        "asile",
        "asylum",
        "education",
        "sante",
        "health",
        "logement",
        "housing",
        "travail",
        "work",
        "emploi",
        "employment",
        "regroupement",
        "reunification",
        "naturalisation",
        "naturalization",
    },
)
_OPENER_WORDS = re.compile(
    r"^\s*(?:et|mais|and|but|what|how|about|qu['’]en|est-il|quid|pour|for|of|de|des|du|les|la|le|l['’]|the|aussi|also|"
    r"same|question|même|pareil|idem|in|that|case|dans|ce|cas)\b\s*",
    re.I,
)


def _fold(word: str) -> str:
    return fold(word).lower().strip(".,;:!?«»\"'()")


def rewrite(question: str, previous: str) -> str | None:
    """The previous question with the follow-up's new aspect in place of the old one of the
    same kind, or None when there is no such pair."""
    rest = question
    while (m := _OPENER_WORDS.match(rest)) and m.end():
        rest = rest[m.end() :]
    new = [w for w in rest.split() if _fold(w)]
    old = previous.split()
    for kind in _KINDS:
        wanted = [w for w in new if _fold(w) in kind]
        if len(wanted) != 1:
            continue
        spots = [i for i, w in enumerate(old) if _fold(w) in kind and _fold(w) != _fold(wanted[0])]
        if len(spots) == 1:
            i = spots[0]
            tail = old[i][len(old[i].rstrip(".,;:!?»)")) :]
            return " ".join(old[:i] + [wanted[0].strip(".,;:!?«»()") + tail] + old[i + 1 :])
    return None


@dataclass(frozen=True)
class Contextualised:
    query: str  # what retrieval searches
    follow_up: bool  # True when the previous turn's subject was added


def contextualise(question: str, previous_query: str | None, lang: str) -> Contextualised:
    """The search text for `question`, given the search text of the previous turn (if any)."""
    question = " ".join(question.split())
    if not previous_query or not is_follow_up(question, lang):
        return Contextualised(question, False)
    standalone = rewrite(question, previous_query)
    if standalone is not None and len(standalone) <= MAX_QUERY_CHARS:
        return Contextualised(standalone, True)
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
