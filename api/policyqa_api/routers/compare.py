"""Two versions of a resolution, paragraph by paragraph (GET /v1/compare)."""

from __future__ import annotations

from fastapi import APIRouter, Query

from policyqa.compare.report import comparison_data
from policyqa.compare.versions import CannotCompare
from policyqa.compare.versions import compare as compare_versions

from ..deps import ServiceDep
from ..errors import ApiError
from ..schemas import CompareOut

router = APIRouter(tags=["compare"])


@router.get(
    "/compare",
    response_model=CompareOut,
    summary="What changed between two versions of a resolution: paragraphs added, dropped, moved and amended, with the words changed",
)
def compare(
    service: ServiceDep,
    old: str = Query(min_length=1, max_length=200, description="a document id or symbol, e.g. A/RES/78/217"),
    new: str = Query(min_length=1, max_length=200, description="the other version, e.g. A/RES/80/218"),
    all: bool = Query(False, description="also list the paragraphs that did not change"),  # noqa: A002 - the query parameter's name
) -> CompareOut:
    retriever = service.ready_retriever()
    try:
        comparison = compare_versions(retriever.index, old, new)
    except CannotCompare as exc:
        if exc.code in ("unknown_document", "unindexed_document"):
            raise ApiError(404, "compare_unknown", detail=str(exc)) from None
        raise ApiError(422, "compare_refused", detail=str(exc)) from None
    return CompareOut.model_validate(comparison_data(comparison, changes_only=not all))
