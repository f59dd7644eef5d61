"""Questions about what changed between versions of a text ("qu'est-ce qui a changé entre les
résolutions de 2023 et 2025 sur la protection des migrants ?"), answered from the comparison
(compare/): the counts, then the changes that matter most, each cited to its paragraph.

Operative paragraphs come first (they are what States commit to), added and amended (the
most rewritten first) before dropped; a preambular change is listed after them. The words added and removed are given as
the comparison found them; each quote is the cited passage's own words.
"""

from __future__ import annotations

import re

from policyqa.answer.citations import Source, other_language_note, resolve
from policyqa.answer.locators import label_of
from policyqa.answer.phrases import phrase
from policyqa.answer.quotes import select_quote
from policyqa.compare.align import Pair
from policyqa.compare.provisions import Provision
from policyqa.compare.versions import Comparison, compare
from policyqa.retrieve.backend import SearchBackend
from policyqa.retrieve.understand import Understanding
from policyqa.text.analysis import fold
from policyqa.types import Answer, Passage

# What asking for changes sounds like, accents folded: "what changed", "what is new",
# "differences between", "compare"; « qu'est-ce qui a changé », « nouveautés », « différences ».
# Words as common in other questions ("removed", « ajouter ») are left out: a question naming
# two versions with them is still answered from the passages.
_ASKS_CHANGES = re.compile(
    r"\b(?:chang\w*|what(?:'s| is| are) new|new in|differ\w*|compar\w*|amend\w*|dropped|evolv\w*|"
    r"modifi\w*|nouveaute\w*|quoi de neuf|supprime\w*|evolu\w*)\b"
)
SHOWN = 6  # changes quoted in the answer; the rest are one command away
MAX_QUOTE_WORDS = 60


def asks_for_changes(question: str) -> bool:
    return bool(_ASKS_CHANGES.search(fold(question.lower())))


def versions_named(understood: Understanding, index: SearchBackend) -> tuple[str, str] | None:
    """The two held versions of the one series the question names, to compare: the earliest
    and latest of the years it names ("between 2023 and 2025", wherever the years stand), or
    one version named alone and the one before it (after it, for the first)."""
    series = {index.documents[d].series for d in understood.named if index.documents[d].series}
    if len(series) != 1:
        return None
    versions = sorted((d for d in index.documents.values() if d.series in series and d.lang == "en"), key=lambda d: d.adopted)
    if len(versions) < 2:
        return None
    asked = [d for d in versions if d.adopted[:4] and int(d.adopted[:4]) in understood.years]
    if len(asked) >= 2:
        return asked[0].id, asked[-1].id
    named = [d for d in versions if d.id in understood.named]
    if len(asked) == 1 or len(named) == 1:
        one = (asked or named)[0]
        at = versions.index(one)
        return (versions[at - 1].id, one.id) if at else (one.id, versions[1].id)
    return versions[-2].id, versions[-1].id


def _weight(pair: Pair) -> tuple[int, int, float]:
    provision = pair.new or pair.old
    order = {"added": 0, "amended": 1, "dropped": 2}.get(pair.status, 3)
    # Among amended paragraphs, the most rewritten first: a capital letter matters less.
    return (0 if provision.kind == "operative" else 1, order, pair.similarity)


def _first_passage(pair: Pair, index: SearchBackend, old: bool = False) -> Passage:
    provision = pair.old if old else pair.new
    return index.passages[index.row_of[provision.passage_ids[0]]]


def _words(pair: Pair, op: str, lang: str) -> str:
    words = " … ".join(" ".join(p.text.split()) for p in pair.diff if p.op == op)
    if not words:
        return phrase(lang, "changes_none")
    open_q, close_q = ("« ", " »") if lang == "fr" else ("“", "”")
    return f"{open_q}{words}{close_q}"


def _label(provision: Provision, doc_lang: str, lang: str) -> str:
    """The whole paragraph's label for the reader (« paragraphe 23 du dispositif »), not the
    run of sub-items its first passage holds."""
    return label_of(provision.key, provision.locator, doc_lang, lang)


def changes_answer(question: str, lang: str, comparison: Comparison, index: SearchBackend, mode: str) -> Answer:
    old, new = comparison.old, comparison.new
    counts = comparison.counts()
    old_name, new_name = old.symbol or old.id, new.symbol or new.id
    old_year, new_year = old.adopted[:4], new.adopted[:4]
    blocks = [
        phrase(
            lang, "changes_lead", old=old_name, old_year=old_year, new=new_name, new_year=new_year, **{k: str(v) for k, v in counts.items()}
        )
    ]
    changed = sorted((p for p in comparison.pairs if p.status != "unchanged"), key=_weight)
    sources: dict[int, Source] = {}
    open_q, close_q = ("« ", " »") if lang == "fr" else ("“", "”")
    for n, pair in enumerate(changed[:SHOWN], 1):
        passage = _first_passage(pair, index, old=pair.status == "dropped")
        pages = phrase(lang, "pages", pages=passage.pages) if passage.pages else ""
        if pair.status == "added":
            lead = phrase(lang, "changes_added", year=new_year, locator=_label(pair.new, new.lang, lang), pages=pages)
        elif pair.status == "dropped":
            lead = phrase(lang, "changes_dropped", year=old_year, locator=_label(pair.old, old.lang, lang), pages=pages)
        else:
            lead = phrase(
                lang,
                "changes_amended",
                old_locator=_label(pair.old, old.lang, lang),
                old_year=old_year,
                locator=_label(pair.new, new.lang, lang),
                year=new_year,
                pages=pages,
                inserted=_words(pair, "insert", lang),
                deleted=_words(pair, "delete", lang),
            )
        # An amended paragraph is quoted where its words changed, anything else where it
        # bears on the question.
        inserted = " ".join(p.text for p in pair.diff if p.op == "insert")
        quote = select_quote(passage, inserted or question, MAX_QUOTE_WORDS)
        sources[n] = Source(passage, quote)
        blocks.append(f"{lead}\n{open_q}{quote}{close_q} [{n}]{other_language_note(passage, lang, index.documents)}")
    if len(changed) > SHOWN:
        blocks.append(phrase(lang, "changes_more", count=str(len(changed) - SHOWN), old=old_name, new=new_name))
    text, citations = resolve("\n\n".join(blocks), sources, index.documents, lang, index.catalogue)
    return Answer(text, lang, citations, True, (), mode)


def answer_changes(question: str, lang: str, understood: Understanding, index: SearchBackend, mode: str) -> Answer | None:
    """The answer from the comparison, when the question asks what changed between versions
    of one text it names; None otherwise (the question is answered as any other)."""
    if not asks_for_changes(question):
        return None
    named = versions_named(understood, index)
    if named is None:
        return None
    return changes_answer(question, lang, compare(index, *named), index, mode)
