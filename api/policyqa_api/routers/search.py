from typing import Annotated, Literal

from fastapi import APIRouter, Query

from policyqa.retrieve.retriever import MAX_QUERY_CHARS
from policyqa.serialise import hit_json
from policyqa.text.language import SUPPORTED

from ..deps import ServiceDep, checked_filters
from ..schemas import HitOut, SearchOut

router = APIRouter(tags=["search"])


@router.get("/search", response_model=SearchOut, summary="Passages that best match a French or English question")
def search(
    service: ServiceDep,
    q: Annotated[str, Query(min_length=1, max_length=MAX_QUERY_CHARS, description="the question")],
    k: Annotated[int, Query(ge=1, le=50)] = 5,
    lang: Annotated[str | None, Query(pattern="^(fr|en)$", description="the asker's language (default: detected)")] = None,
    doc: Annotated[list[str] | None, Query(description="only these documents")] = None,
    family: Annotated[list[str] | None, Query(description="only these families")] = None,
    only_lang: Annotated[list[Literal["fr", "en", ""]] | None, Query(description="only passages in these languages")] = None,
) -> SearchOut:
    retriever = service.ready_retriever()
    result = retriever.search(q, k=k, lang=lang, filters=checked_filters(service, retriever, doc, family, only_lang))
    return SearchOut(
        query=result.query,
        lang=result.lang,
        detected_lang=result.detected,
        supported_lang=result.detected in SUPPORTED or lang is not None,
        embed_ms=round(result.embed_ms, 1),
        search_ms=round(result.search_ms, 1),
        hits=[HitOut.model_validate(hit_json(h)) for h in result.hits],
    )
