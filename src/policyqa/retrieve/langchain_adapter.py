"""LangChain adapter: policyqa's hybrid retrieval as a `BaseRetriever`, so LangChain chains
(the optional LLM answerer among them) use the same retrieval as everything else."""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LCDocument
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from policyqa.retrieve.filters import Filters
from policyqa.retrieve.retriever import Retriever
from policyqa.types import Hit


def to_langchain(hit: Hit) -> LCDocument:
    p = hit.passage
    return LCDocument(
        page_content=p.text,
        metadata={
            "passage_id": p.id,
            "doc_id": p.doc_id,
            "lang": p.lang,
            "locator": p.locator,
            "page_start": p.page_start,
            "page_end": p.page_end,
            "rank": hit.rank,
            "score": hit.fused,
            "parallel_key": p.parallel_key,
            "other_versions": [{"passage_id": o.id, "lang": o.lang, "text": o.text} for o in hit.other_versions],
        },
    )


class PolicyRetriever(BaseRetriever):
    """`PolicyRetriever(retriever=..., k=5).invoke("question")` -> LangChain documents."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    retriever: Any  # a policyqa.retrieve.retriever.Retriever (Any keeps pydantic away from its internals)
    k: int = 5
    lang: str | None = None
    filters: Filters = Filters()

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[LCDocument]:
        assert isinstance(self.retriever, Retriever)
        result = self.retriever.search(query, k=self.k, lang=self.lang, filters=self.filters)
        return [to_langchain(h) for h in result.hits]
