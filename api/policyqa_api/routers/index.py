"""The index: its status for anyone; reload and rebuild only with the API key, because they
change what every user is answered from."""

import hmac
import os
import socket
from typing import Annotated

from fastapi import APIRouter, Depends, Header

from policyqa.index.publish import published
from policyqa.index.store import IndexProblem
from policyqa.storage.database import StorageUnavailable

from ..deps import ServiceDep
from ..errors import ApiError
from ..schemas import KEYED, IndexStatusOut
from ..service import Busy

router = APIRouter(tags=["index"])


def require_api_key(service: ServiceDep, x_api_key: Annotated[str | None, Header(max_length=500)] = None) -> None:
    expected = service.settings.api_key
    if not expected:
        raise ApiError(403, "key_disabled")
    # Constant-time comparison: the key must not leak through response timing.
    if not x_api_key or not hmac.compare_digest(x_api_key.encode(), expected.encode()):
        raise ApiError(401, "key_missing")


def _status(service) -> IndexStatusOut:
    retriever = service.retriever
    manifest = retriever.index.manifest if retriever else None
    return IndexStatusOut(
        ready=retriever is not None and service.ready,
        building=service.rebuilding(),
        build_id=manifest.build_id if manifest else "",
        passages=manifest.passages if manifest else 0,
        embedding_model=manifest.embedding_model if manifest else "",
        problem=service.problem,
        last_build=service.last_build,
        published_build=_published(service),
        worker=f"{socket.gethostname()}:{os.getpid()}",
    )


def _published(service) -> str:
    try:
        current = published(service.store.database)
    except StorageUnavailable:
        return ""
    return current[0] if current else ""


@router.get("/index", response_model=IndexStatusOut, summary="Which index is served, and whether a build is running")
def index_status(service: ServiceDep) -> IndexStatusOut:
    return _status(service)


@router.post(
    "/index/reload",
    response_model=IndexStatusOut,
    dependencies=[Depends(require_api_key)],
    responses=KEYED,
    summary="Serve the index last built by `policyqa index build` (needs X-API-Key)",
)
def reload(service: ServiceDep) -> IndexStatusOut:
    try:
        service.reload()
    except IndexProblem as exc:
        # The index already in service (if any) keeps answering.
        if service.retriever is None:
            raise ApiError(503, "reload_failed_none", detail=str(exc)) from None
        raise ApiError(409, "reload_failed", detail=str(exc), build=service.retriever.index.manifest.build_id) from None
    return _status(service)


@router.post(
    "/index/rebuild",
    response_model=IndexStatusOut,
    status_code=202,
    dependencies=[Depends(require_api_key)],
    responses=KEYED,
    summary="Rebuild the index in the background; the current one serves until it is done (needs X-API-Key)",
)
def rebuild(service: ServiceDep) -> IndexStatusOut:
    try:
        service.rebuild_in_background()
    except Busy:
        raise ApiError(409, "busy") from None
    return _status(service)
