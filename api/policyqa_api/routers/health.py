from typing import Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from policyqa.answer.factory import Mode
from policyqa.answer.relevance import default_model

from ..deps import ServiceDep

router = APIRouter(tags=["health"])


@router.get("/health", summary="Liveness: the process answers")
def health() -> dict:
    return {"status": "ok"}


@router.get(
    "/ready",
    summary="Readiness: the model and the index are loaded, and a question has run through them",
    responses={503: {"description": "not ready yet, with the reason"}},
)
def ready(service: ServiceDep):
    if not service.ready or service.retriever is None:
        return JSONResponse({"status": "not ready", "detail": service.problem}, status_code=503)
    manifest = service.retriever.index.manifest
    return {"status": "ready", "index": manifest.build_id, "passages": manifest.passages, "embedding_model": manifest.embedding_model}


class ModeOut(BaseModel):
    mode: Mode
    available: bool
    reason: Literal["", "not_ready", "not_installed", "not_running"] = ""
    detail: str = ""  # what to do about it, for an operator


class CarefulOut(BaseModel):
    """The careful option (`careful` in /v1/ask): its judge runs on the generative mode's model
    server, so it is available when that mode is and the relevance model has a careful setting."""

    available: bool
    reason: Literal["", "not_ready", "not_installed", "not_running", "not_fitted"] = ""
    detail: str = ""


class ModesOut(BaseModel):
    modes: list[ModeOut]
    careful: CarefulOut | None = None


@router.get("/modes", response_model=ModesOut, summary="Which answer modes can answer now (the generative one needs its model server)")
def modes(service: ServiceDep) -> ModesOut:
    ready = service.ready and service.retriever is not None
    reason, detail = service.llm_status()
    extractive = ModeOut(mode="extractive", available=ready, reason="" if ready else "not_ready", detail="" if ready else service.problem)
    llm = ModeOut(
        mode="llm",
        available=ready and not reason,
        reason=reason or ("" if ready else "not_ready"),
        detail=detail or ("" if ready else service.problem),
    )
    if default_model().careful_candidates > 0:
        careful = CarefulOut(available=llm.available, reason=llm.reason, detail=llm.detail)
    else:
        detail = "no careful setting in the relevance model: policyqa relevance fit --judged"
        careful = CarefulOut(available=False, reason="not_fitted", detail=detail)
    return ModesOut(modes=[extractive, llm], careful=careful)
