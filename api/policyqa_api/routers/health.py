from fastapi import APIRouter
from fastapi.responses import JSONResponse

from ..deps import ServiceDep

router = APIRouter(tags=["health"])


@router.get("/health", summary="Liveness: the process answers")
def health() -> dict:
    return {"status": "ok"}


@router.get("/ready", summary="Readiness: the index and the model are loaded", responses={503: {}})
def ready(service: ServiceDep):
    if service.retriever is None:
        return JSONResponse({"status": "not ready", "detail": service.problem}, status_code=503)
    manifest = service.retriever.index.manifest
    return {"status": "ready", "index": manifest.build_id, "passages": manifest.passages,
            "embedding_model": manifest.embedding_model}
