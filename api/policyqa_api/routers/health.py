from typing import Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from policyqa.answer.factory import Mode

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


class ModesOut(BaseModel):
    modes: list[ModeOut]


@router.get("/modes", response_model=ModesOut, summary="Which answer modes can answer now (the generative one needs its model server)")
def modes(service: ServiceDep) -> ModesOut:
    ready = service.ready and service.retriever is not None
    reason, detail = service.llm_status()
    extractive = ModeOut(mode="extractive", available=ready, reason="" if ready else "not_ready", detail="" if ready else service.problem)
    return ModesOut(
        modes=[
            extractive,
            ModeOut(
                mode="llm",
                available=ready and not reason,
                reason=reason or ("" if ready else "not_ready"),
                detail=detail or ("" if ready else service.problem),
            ),
        ]
    )
