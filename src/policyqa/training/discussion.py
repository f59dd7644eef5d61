"""Discussion questions for a pack, from fixed templates filled with the provisions, terms and
links the pack actually quotes, so each question points the group at a text in front of them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from policyqa.training.material import mentions_keyword
from policyqa.training.wording import PHRASES, doc_name, phrase

if TYPE_CHECKING:
    from policyqa.training.pack import Pack


def _start(quote: str, words: int = 12) -> str:
    """The first words of a quote, verbatim, as a reader would find them on the page."""
    first = quote.split("…")[0].split() or quote.split()
    return " ".join(first[:words]) + (" …" if len(first) > words else "")


def discussion_questions(pack: Pack) -> tuple[str, ...]:
    lang = pack.lang
    out: list[str] = []
    defs = pack.definitions
    if defs:
        d = defs[0]
        doc = pack.document(d.passage.doc_id)
        title = doc_name(doc) if doc else d.passage.doc_id
        out.append(phrase(lang, "q_definition", title=title, locator=d.passage.locator, term=d.term))
        # Two definitions are compared only when both are on the topic (trafficking v. smuggling).
        other = next(
            (
                e
                for e in defs[1:]
                if e.passage.doc_id != d.passage.doc_id
                and mentions_keyword(d.term, pack.keywords)
                and mentions_keyword(e.term, pack.keywords)
            ),
            None,
        )
        if other:
            names = {doc.id: doc_name(doc) for doc in pack.documents}
            out.append(
                phrase(
                    lang,
                    "q_two_definitions",
                    a=d.term,
                    ta=names.get(d.passage.doc_id, d.passage.doc_id),
                    la=d.passage.locator,
                    b=other.term,
                    tb=names.get(other.passage.doc_id, other.passage.doc_id),
                    lb=other.passage.locator,
                )
            )
    ranked = sorted(((p, g.document) for g in pack.groups for p in g.provisions), key=lambda x: -x[0].score)
    if ranked:
        top, doc = ranked[0]
        out.append(phrase(lang, "q_apply", title=doc_name(doc), locator=top.passage.locator, start=_start(top.quote), topic=pack.topic))
    treaty = next(((p.passage, d) for p, d in ranked if d.family == "treaty"), None)
    if treaty is None:  # a treaty quoted for its definitions still anchors the comparison
        treaty = next(((d.passage, doc) for d in defs if (doc := pack.document(d.passage.doc_id)) and doc.family == "treaty"), None)
    soft = next(((p, d) for p, d in ranked if d.family != "treaty"), None)
    if treaty and soft:
        key = f"kind_{soft[1].family}"
        kind = phrase(lang, key if key in PHRASES[lang] else "kind_other")
        out.append(
            phrase(
                lang, "q_weight", a=doc_name(treaty[1]), la=treaty[0].locator, b=doc_name(soft[1]), lb=soft[0].passage.locator, kind=kind
            )
        )
    else:
        second = next(((p, d) for p, d in ranked[1:] if ranked and d.id != ranked[0][1].id), None)
        if ranked and second:
            out.append(
                phrase(
                    lang,
                    "q_compare",
                    a=doc_name(ranked[0][1]),
                    la=ranked[0][0].passage.locator,
                    b=doc_name(second[1]),
                    lb=second[0].passage.locator,
                )
            )
    if pack.links:
        link = pack.links[0]
        source = pack.document(link.passage.doc_id)
        out.append(
            phrase(
                lang,
                "q_link",
                source=doc_name(source) if source else link.passage.doc_id,
                locator=link.passage.locator,
                target=doc_name(link.target),
                topic=pack.topic,
            )
        )
    if pack.other_language:
        out.append(phrase(lang, "q_language"))
    return tuple(out)
