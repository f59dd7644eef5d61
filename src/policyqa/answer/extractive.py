"""The extractive answerer (the default, no LLM): the answer is made of the passages' own
words, each quote tied to its numbered citation, or an honest "not covered".

It cites the one retrieved passage the relevance model (relevance.py) ranks most likely to
state the answer, adds the same wording where another instrument repeats it, quotes from
each the sentences or sub-items that bear on the question, and writes a lead in the asker's
language naming the instrument and the provision.
"""

from __future__ import annotations

from collections.abc import Iterator

from policyqa.answer.citations import Source, make_citation, other_language_note, resolve
from policyqa.answer.front import Draft, Front, pieces, timings
from policyqa.answer.judge import JudgeUnavailable
from policyqa.answer.locators import label
from policyqa.answer.names import document_name, with_article
from policyqa.answer.phrases import phrase
from policyqa.answer.quotes import same_wording, select_quote
from policyqa.answer.relevance import AnswerSettings
from policyqa.retrieve.filters import Filters
from policyqa.retrieve.retriever import Retriever
from policyqa.types import Answer, Citation, Hit, Passage


class ExtractiveAnswerer:
    mode = "extractive"

    def __init__(self, retriever: Retriever, settings: AnswerSettings = AnswerSettings()) -> None:
        self.retriever = retriever
        self.settings = settings
        self.front = Front(retriever, settings, self.mode)
        # No model to reach, unless the careful mode's judge reads the candidates.
        self.unreachable: tuple[type[Exception], ...] = (JudgeUnavailable,) if settings.judge is not None else ()

    def answer(self, question: str, lang: str | None = None, filters: Filters = Filters()) -> Answer:
        asked = self.front.read(question, lang, filters)
        if isinstance(asked, Answer):
            return asked
        if (changes := self.front.changes(asked)) is not None:
            return changes
        findings = self.front.gather(asked, k=self.settings.candidates)
        if not findings.covered:
            return self.front.declined(findings)
        question, asker, result = asked.question, asked.lang, findings.result
        documents, catalogue = self.retriever.index.documents, self.retriever.index.catalogue
        ranked = [s.hit for s in findings.ranked]
        chosen = self._pick(ranked)
        sources: dict[int, Source] = {}
        blocks: list[str] = []
        open_q, close_q = ("« ", " »") if asker == "fr" else ("“", "”")
        for n, hit in enumerate(chosen, 1):
            p = hit.passage
            quote = select_quote(p, question, self.settings.max_quote_words, self._unit_scores(p, result.query_vector))
            other = next((o.id for o in hit.other_versions), "")
            sources[n] = Source(p, quote, other)
            title = with_article(document_name(documents.get(p.doc_id), asker, catalogue, fallback=p.doc_id), asker)
            pages = phrase(asker, "pages", pages=p.pages) if p.pages else ""
            lead = phrase(asker, "according", title=title, locator=label(p, asker), pages=pages)
            note = other_language_note(p, asker, documents)
            blocks.append(f"{lead}\n{open_q}{quote}{close_q} [{n}]{note}")
        text, citations = resolve("\n\n".join(blocks), sources, documents, asker, catalogue)
        see_also = self._nearby(ranked, chosen, question, result.query_vector, asker)
        return Answer(text, asker, citations, True, see_also, self.mode, timings(findings), support=round(findings.support, 4))

    # Composed in one step: streamed in pieces so that clients handle every mode alike.
    def prepare(self, question: str, lang: str | None = None, filters: Filters = Filters()) -> Draft:
        answer = self.answer(question, lang, filters)
        return Draft(question, answer.lang, ready=answer)

    def stream(self, draft: Draft) -> Iterator[str]:
        assert draft.ready is not None
        yield from pieces(draft.ready.text)

    def finish(self, draft: Draft) -> Answer:
        assert draft.ready is not None
        return draft.ready

    def _nearby(self, ranked: list[Hit], chosen: list[Hit], question: str, query_vector, lang: str) -> tuple[Citation, ...]:
        """The next provisions of the rerank, not cited, each with its span closest to the
        question: when the cited provision is a neighbour of the one that answers, the one that
        answers is usually among these (eval/README.md), one click away."""
        st = self.settings
        others = [h for h in ranked if h not in chosen and all(same_wording(h.passage, c.passage) < st.same_wording for c in chosen)]
        index = self.retriever.index
        return tuple(
            make_citation(
                n,
                Source(
                    h.passage,
                    select_quote(h.passage, question, st.nearby_quote_words, self._unit_scores(h.passage, query_vector)),
                    next((o.id for o in h.other_versions), ""),
                ),
                index.documents.get(h.passage.doc_id),
                lang,
                index.catalogue,
            )
            for n, h in enumerate(others[: st.nearby], 1)
        )

    def _unit_scores(self, p: Passage, query_vector) -> list[float] | None:
        index = self.retriever.index
        return index.unit_scores(index.row_of[p.id], query_vector) if query_vector is not None and p.id in index.row_of else None

    def _pick(self, ranked: list[Hit]) -> list[Hit]:
        """The first ranked candidate (the one that best states the answer), and the others
        that repeat its wording."""
        top = ranked[0]
        chosen = [top]
        for hit in ranked[1:]:
            if len(chosen) == self.settings.max_sources:
                break
            if same_wording(hit.passage, top.passage) >= self.settings.same_wording:
                chosen.append(hit)
        return chosen
