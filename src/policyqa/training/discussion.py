"""Discussion questions for a pack, from fixed templates filled with the provisions, terms and
links the pack actually quotes, so each question points the group at a text in front of them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from policyqa.training.material import mentions_keyword
from policyqa.training.naming import capital
from policyqa.training.wording import PHRASES, phrase

if TYPE_CHECKING:
    from policyqa.training.pack import Pack


def _start(quote: str, words: int = 12) -> str:
    """The first words of a quote, verbatim, as a reader would find them on the page."""
    first = quote.split("…")[0].split() or quote.split()
    return " ".join(first[:words]) + (" …" if len(first) > words else "")


def discussion_questions(pack: Pack) -> tuple[str, ...]:
    lang, names = pack.lang, pack.names
    out: list[str] = []
    defs = pack.definitions
    if defs:
        d = defs[0]
        title = names.in_text(pack.document(d.passage.doc_id), d.passage.doc_id)
        out.append(phrase(lang, "q_definition", title=title, locator=names.label(d.passage), term=d.term))
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
            out.append(
                phrase(
                    lang,
                    "q_two_definitions",
                    a=d.term,
                    ta=names.name(pack.document(d.passage.doc_id), d.passage.doc_id),
                    la=names.label(d.passage),
                    b=other.term,
                    tb=names.name(pack.document(other.passage.doc_id), other.passage.doc_id),
                    lb=names.label(other.passage),
                )
            )
    ranked = sorted(((p, g.document) for g in pack.groups for p in g.provisions), key=lambda x: -x[0].score)
    if ranked:
        top, doc = ranked[0]
        title, locator = names.in_text(doc), names.label(top.passage)
        out.append(phrase(lang, "q_apply", title=title, locator=locator, start=_start(top.quote), topic=pack.topic))
    treaty = next(((p.passage, d) for p, d in ranked if d.family == "treaty"), None)
    if treaty is None:  # a treaty quoted for its definitions still anchors the comparison
        treaty = next(((d.passage, doc) for d in defs if (doc := pack.document(d.passage.doc_id)) and doc.family == "treaty"), None)
    soft = next(((p, d) for p, d in ranked if d.family != "treaty"), None)
    if treaty and soft:
        key = f"kind_{soft[1].family}"
        kind = phrase(lang, key if key in PHRASES[lang] else "kind_other")
        a, la = capital(names.in_text(treaty[1])), names.label(treaty[0])
        out.append(phrase(lang, "q_weight", a=a, la=la, b=names.in_text(soft[1]), lb=names.label(soft[0].passage), kind=kind))
    else:
        second = next(((p, d) for p, d in ranked[1:] if ranked and d.id != ranked[0][1].id), None)
        if ranked and second:
            out.append(
                phrase(
                    lang,
                    "q_compare",
                    a=names.in_text(ranked[0][1]),
                    la=names.label(ranked[0][0].passage),
                    b=names.in_text(second[1]),
                    lb=names.label(second[0].passage),
                )
            )
    if pack.links:
        link = pack.links[0]
        source = pack.document(link.passage.doc_id)
        out.append(
            phrase(
                lang,
                "q_link",
                source=capital(names.in_text(source, link.passage.doc_id)),
                locator=names.label(link.passage),
                target=names.to(link.target),
                topic=pack.topic,
            )
        )
    if pack.other_language:
        out.append(phrase(lang, "q_language"))
    return tuple(out)
