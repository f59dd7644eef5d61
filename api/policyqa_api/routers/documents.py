from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse

from policyqa.corpus import catalog

from ..deps import ServiceDep
from ..schemas import FILES, DocumentOut

router = APIRouter(tags=["documents"])
MEDIA = {"pdf": "application/pdf", "txt": "text/plain; charset=utf-8", "md": "text/markdown; charset=utf-8", "xml": "application/xml"}


def _out(service, doc) -> DocumentOut:
    available = catalog.locate(doc, service.settings.corpus_roots) is not None
    count = 0
    if service.retriever is not None:
        count = sum(1 for p in service.retriever.index.passages if p.doc_id == doc.id)
    return DocumentOut.of(doc, available, count, service.documents.values())


@router.get("/documents", response_model=list[DocumentOut], summary="The catalogue, with availability")
def documents(service: ServiceDep) -> list[DocumentOut]:
    return [_out(service, d) for d in service.documents.values()]


def _document(service, doc_id: str):
    doc = service.documents.get(doc_id)
    if doc is None:
        raise HTTPException(404, f"no document '{doc_id}' in the catalogue")
    return doc


@router.get("/documents/{doc_id}", response_model=DocumentOut)
def document(doc_id: str, service: ServiceDep) -> DocumentOut:
    return _out(service, _document(service, doc_id))


@router.get("/documents/{doc_id}/file", responses=FILES, summary="The original file (open a PDF at a page with #page=N)")
def document_file(doc_id: str, service: ServiceDep) -> FileResponse:
    doc = _document(service, doc_id)
    # Only catalogued files are served: the path comes from the catalogue, never the request.
    path = catalog.locate(doc, service.settings.corpus_roots)
    if path is None:
        raise HTTPException(404, f"the file of '{doc_id}' is not available on this server")
    return FileResponse(
        path, media_type=MEDIA.get(doc.format, "application/octet-stream"), filename=path.name, content_disposition_type="inline"
    )
