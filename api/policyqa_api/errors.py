"""Error replies: one JSON shape ({"error", "detail"}), written in the asker's language when
it is known (the question's language, else the browser's Accept-Language), never a 500 for
something the client can fix."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import JSONResponse

MESSAGES = {
    "too_large": (
        "request too large: at most {limit} bytes are accepted",
        "requête trop volumineuse : {limit} octets au plus sont acceptés",
    ),
    "invalid": ("invalid request: {detail}", "requête invalide : {detail}"),
    "bad_json": ("the body is not valid JSON: {detail}", "le corps de la requête n’est pas du JSON valide : {detail}"),
    "bad_query": ("bad question: {detail}", "question invalide : {detail}"),
    "storage_down": (
        "the database cannot be reached; try again shortly ({detail})",
        "la base de données est injoignable ; réessayez dans un instant ({detail})",
    ),
    "not_ready": ("the service is not ready: {detail}", "le service n’est pas prêt : {detail}"),
    "llm_down": (
        "the generative model does not answer at {url} ({detail}); start it with `policyqa llm serve` or use the extractive mode",
        "le modèle génératif ne répond pas à {url} ({detail}) ; lancez-le avec `policyqa llm serve` ou utilisez le mode extractif",
    ),
    "careful_not_fitted": (
        "the careful mode is not available: its relevance model has no careful setting (policyqa relevance fit --judged)",
        "le mode attentif n’est pas disponible : son modèle de pertinence n’a pas de réglage attentif (policyqa relevance fit --judged)",
    ),
    "unknown_document": (
        "unknown document '{id}' in the filter; see GET /v1/documents",
        "document inconnu « {id} » dans le filtre ; voir GET /v1/documents",
    ),
    "unindexed_document": (
        "document '{id}' is catalogued but not in the index, because its file is not on this "
        "server: put it at corpus/local/{path} and rebuild the index",
        "le document « {id} » est au catalogue mais pas dans l’index, car son fichier manque sur ce "
        "serveur : placez-le dans corpus/local/{path} puis reconstruisez l’index",
    ),
    "compare_unknown": ("{detail}", "{detail}"),
    "unknown_case_topic": ("no case exercise on '{topic}'; topics: {known}", "aucun cas pratique sur « {topic} » ; thèmes : {known}"),
    "compare_refused": ("cannot compare: {detail}", "comparaison impossible : {detail}"),
    "unknown_family": (
        "unknown family '{id}' in the filter; known: {known}",
        "famille inconnue « {id} » dans le filtre ; familles connues : {known}",
    ),
    "unknown_conversation": (
        "no conversation '{id}': start a new one by leaving conversation_id out",
        "aucune conversation « {id} » : omettez conversation_id pour en commencer une",
    ),
    "unknown_answer": ("no answer '{id}'", "aucune réponse « {id} »"),
    "not_found": ("{detail}", "{detail}"),
    "key_missing": (
        "this operation changes the index and needs the API key (header X-API-Key)",
        "cette opération modifie l’index et exige la clé d’API (en-tête X-API-Key)",
    ),
    "key_disabled": (
        "operations that change the index are disabled: set POLICYQA_API_KEY on the server",
        "les opérations qui modifient l’index sont désactivées : définissez POLICYQA_API_KEY sur le serveur",
    ),
    "reload_failed": (
        "the index could not be loaded ({detail}); {build} keeps serving",
        "l’index n’a pas pu être chargé ({detail}) ; {build} reste en service",
    ),
    "reload_failed_none": ("the index could not be loaded: {detail}", "l’index n’a pas pu être chargé : {detail}"),
    "rate_limited": (
        "too many requests from this address (at most {limit}): try again in {seconds} s",
        "trop de requêtes depuis cette adresse (au plus {limit}) : réessayez dans {seconds} s",
    ),
    "conversation_token": (
        "this conversation needs its token (header X-Conversation-Token), returned when it started",
        "cette conversation exige son jeton (en-tête X-Conversation-Token), remis à sa création",
    ),
    "busy": ("an index build is already running", "une construction de l’index est déjà en cours"),
}


class ApiError(Exception):
    def __init__(self, status: int, key: str, **values: object) -> None:
        super().__init__(key)
        self.status, self.key, self.values = status, key, {k: str(v) for k, v in values.items()}


def request_lang(request: Request) -> str:
    """The language of the request: set by a route once it knows it, else the browser's."""
    known = getattr(request.state, "lang", None)
    if known in ("fr", "en"):
        return known
    return scope_lang(request.scope)


def scope_lang(scope) -> str:
    """The browser's language (Accept-Language), for replies made before any route runs."""
    header = dict(scope.get("headers") or ()).get(b"accept-language", b"").decode("latin-1")
    for part in header.split(","):
        tag = part.split(";")[0].strip().lower()
        if tag[:2] in ("fr", "en"):
            return tag[:2]
    return "en"


def message(key: str, lang: str, **values: str) -> str:
    en, fr = MESSAGES[key]
    return (fr if lang == "fr" else en).format(**values)


def reply(status: int, error: str, detail: str, code: str = "") -> JSONResponse:
    """`code` names the cause for programs (a key of MESSAGES, e.g. "unknown_conversation"),
    where `error` only names the status."""
    return JSONResponse({"error": error, "detail": detail, "code": code}, status_code=status)


def error_name(status: int) -> str:
    return {
        400: "bad request",
        401: "unauthorized",
        403: "forbidden",
        404: "not found",
        405: "method not allowed",
        409: "conflict",
        413: "request too large",
        422: "invalid request",
        429: "too many requests",
        503: "not ready",
    }.get(status, "error")
