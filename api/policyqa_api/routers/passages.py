from fastapi import APIRouter, HTTPException

from ..deps import ServiceDep
from ..schemas import PassageDetailOut, PassageOut
from .documents import _out

router = APIRouter(tags=["passages"])


@router.get(
    "/passages/{passage_id}", response_model=PassageDetailOut, summary="A passage with its neighbours and its other-language version"
)
def passage(passage_id: str, service: ServiceDep) -> PassageDetailOut:
    index = service.ready_retriever().index
    row = index.row_of.get(passage_id)
    if row is None:
        raise HTTPException(404, f"no passage '{passage_id}' in the index")
    p = index.passages[row]
    before = index.passages[row - 1] if row > 0 and index.passages[row - 1].doc_id == p.doc_id else None
    after = index.passages[row + 1] if row + 1 < len(index.passages) and index.passages[row + 1].doc_id == p.doc_id else None
    others = [index.passages[r] for r in index.by_parallel.get(p.parallel_key, []) if r != row] if p.parallel_key else []
    doc = service.documents.get(p.doc_id)
    return PassageDetailOut(
        passage=PassageOut.of(p),
        document=_out(service, doc) if doc else None,
        previous=PassageOut.of(before) if before else None,
        next=PassageOut.of(after) if after else None,
        other_versions=[PassageOut.of(o) for o in others],
    )
