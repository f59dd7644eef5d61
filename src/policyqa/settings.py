"""The one place that reads the environment: every POLICYQA_* variable, typed, described and
checked when the program starts.

Keeping every variable here means one list of what can be configured (the README's table is
generated from it, see `markdown_table`), one check that refuses a malformed or unsafe value
with a message naming it, before any model loads or request arrives, and one switch for the
tests, which point all state at a temporary folder by setting variables.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import Field, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parents[2]
PREFIX = "POLICYQA_"
# The PyTorch model (the reference), the same model under ONNX Runtime in fp32 and in int8,
# and a fast fake for tests.
EMBEDDERS = ("embeddinggemma", "embeddinggemma-onnx", "embeddinggemma-int8", "hashing")
# ONNX fp32 gives the PyTorch model's figures exactly on the gold and held-out sets (recall@5,
# MRR@10, citation precision, abstention: all equal) at a third of its cost per query; int8 lost
# 0.05 of citation precision on both, so it is offered, not the default (eval/README.md).
DEFAULT_EMBEDDER = "embeddinggemma-onnx"
DEFAULT_LLM_BASE_URL = "http://127.0.0.1:8080/v1"
# A key guards reload and rebuild for everyone: a short one is guessed by trying.
MIN_API_KEY_LENGTH = 16
_DEFAULT_CATALOG = REPO_ROOT / "corpus" / "catalog.toml"
_DEFAULT_LOCAL = REPO_ROOT / "corpus" / "local"
_SHARED_CORPUS = REPO_ROOT.parent / "shared" / "corpus"


class SettingsError(ValueError):
    """A variable is malformed or unsafe; the one-line message names it and says what would do."""


def _setting(description: str, default: Any = None, shown: str | None = None, **options: Any) -> Any:
    """A field as the README shows it: `shown` stands in for a default computed on this machine."""
    extra = {"shown_default": shown} if shown else None
    return Field(default, description=description, json_schema_extra=extra, **options)


def _xdg(variable: str, fallback: Path) -> Path:
    # An empty or relative XDG_* value is invalid per the XDG spec and must be ignored.
    value = os.environ.get(variable)
    if value and Path(value).expanduser().is_absolute():
        return Path(value).expanduser() / "policyqa"
    return fallback / "policyqa"


def data_dir() -> Path:
    """Where policyqa keeps what users made (conversations, feedback): $XDG_DATA_HOME/policyqa,
    else ~/.local/share/policyqa. Not created here: callers create what they write."""
    return _xdg("XDG_DATA_HOME", Path.home() / ".local" / "share")


# prometheus_client's own variable: set, every worker writes its metrics to files there and
# /metrics adds them up (`policyqa serve --workers N` sets it to a fresh folder).
METRICS_FOLDER_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"


def metrics_folder() -> Path | None:
    """The folder the workers share their metrics through, when there are several."""
    value = os.environ.get(METRICS_FOLDER_VARIABLE, "").strip()
    return Path(value) if value else None


def cache_dir() -> Path:
    """The root of policyqa's cache (weights, embeddings, built wheels); see Settings.cache_dir.

    Read on every call (never at import) so that tests and the CLI can redirect it through the
    environment. The folder is not created here: callers create what they write.
    """
    return Settings.from_env().cache_dir


def model_folder(variable: str) -> Path | None:
    """The folder a model's own variable names, if set (a user's copy, used instead of the cache).

    The embedding model's variable is a field below (POLICYQA_EMBEDDING_MODEL_DIR); a model is
    looked up by its spec's variable name so that tests can give a fake model its own.
    """
    value = os.environ.get(variable, "").strip()
    return Path(value).expanduser() if value else None


def _env_name(field: str) -> str:
    return PREFIX + field.upper()


class Settings(BaseSettings):
    """Every variable policyqa reads, each named POLICYQA_ plus the field's name in capitals."""

    model_config = SettingsConfigDict(env_prefix=PREFIX, frozen=True, extra="forbid")

    catalog: Path = _setting("The catalogue of the documents (TOML).", _DEFAULT_CATALOG, shown="`corpus/catalog.toml` in the repository")
    local_corpus: Path = _setting(
        "The git-ignored folder for a user's own files; a `catalog.toml` there adds to the catalogue.",
        _DEFAULT_LOCAL,
        shown="`corpus/local` in the repository",
    )
    corpus_roots: Annotated[tuple[Path, ...], NoDecode] = _setting(
        "The folders where documents' files are looked up, in order, separated by `:` (`;` on Windows).",
        shown="the local folder, then `../shared/corpus` beside the repository when it exists",
        validate_default=True,
    )
    index_dir: Path = _setting("The folder of the search index.", REPO_ROOT / "index", shown="`index` in the repository")
    cache_dir: Path = _setting(
        "The cache: model weights, embeddings, built wheels (an empty value means the default).",
        shown="`$XDG_CACHE_HOME/policyqa`, else `~/.cache/policyqa`",
        validate_default=True,
    )
    db: str | Path = _setting(
        "Where conversations, feedback and the published index are kept: a SQLite file (embedded, one machine), "
        "or a `postgresql://user:password@host:port/name` URL that several workers and machines share "
        "(an empty value means the default).",
        shown="`$XDG_DATA_HOME/policyqa/conversations.sqlite3`, else `~/.local/share/policyqa/…`",
        validate_default=True,
        # A URL stays a string; anything else is a path (see _db).
        union_mode="left_to_right",
    )
    db_pool_size: int = _setting("Connections each worker keeps to a PostgreSQL database at most.", 4, ge=1, le=100)
    index_poll_seconds: float = _setting(
        "How often each worker checks which index build is published, and switches to a new one.", 2.0, gt=0, le=3600
    )
    embedder: str = _setting(
        "The encoder of questions and passages: `embeddinggemma` (PyTorch, the reference), `embeddinggemma-onnx` "
        "(the same model under ONNX Runtime, fp32), `embeddinggemma-int8` (ONNX Runtime, int8), or `hashing` (a fast fake for tests).",
        DEFAULT_EMBEDDER,
    )
    embedding_model_dir: Path | None = _setting(
        "A folder already holding EmbeddingGemma, checked and used instead of the cache, never written to.",
        shown="unset: the cache's `models/` folder",
    )
    model_threads: int | None = _setting(
        "Threads of the encoder in each process. `policyqa serve --workers N` sets it to the usable CPUs divided by N, "
        "so the workers do not fight over the cores.",
        shown="unset: the CPUs this process may use (its affinity and cgroup quota)",
        ge=1,
        le=1024,
    )
    api_key: str = _setting(
        f"The `X-API-Key` that index reload and rebuild need; at least {MIN_API_KEY_LENGTH} characters. "
        "Unset or empty, both routes are disabled.",
        "",
        repr=False,
    )
    cors_origins: Annotated[tuple[str, ...], NoDecode] = _setting(
        "Origins (`https://host[:port]`, comma-separated) allowed to call the API from a browser; none: CORS is off.", ()
    )
    # A person asks a few questions a minute; a training room behind one address stays well under.
    rate_limit: str = _setting(
        "Per client and route group on the routes that run the model: a `limits` expression such as `120/minute;10/second`, or `off`.",
        "120/minute",
    )
    llm_base_url: str = _setting("The OpenAI-compatible endpoint of the generative mode (http or https).", DEFAULT_LLM_BASE_URL)
    llm_model: str = _setting("The model name sent to that endpoint.", "local")
    llm_api_key: str = _setting("The API key sent to that endpoint.", "not-needed", repr=False)

    @classmethod
    def from_env(cls) -> Settings:
        """The settings from the environment as it is now; SettingsError names what is wrong."""
        try:
            return cls()
        except ValidationError as exc:
            raise SettingsError(_one_line(exc)) from None

    def child_environment(self) -> dict[str, str]:
        """This process's environment with these settings as the POLICYQA_* variables that give
        them back, for a child process (a rebuild) that must work on exactly what this one does."""
        env = dict(os.environ)
        for name in type(self).model_fields:
            value = getattr(self, name)
            if value is None:
                continue
            if name == "corpus_roots":
                value = os.pathsep.join(str(p) for p in value)
            elif name == "cors_origins":
                value = ",".join(value)
            env[_env_name(name)] = str(value)
        return env

    @property
    def local_dir(self) -> Path:
        return self.local_corpus

    @property
    def local_catalog(self) -> Path:
        return self.local_dir / "catalog.toml"

    @property
    def catalogs(self) -> tuple[Path, ...]:
        return (self.catalog, self.local_catalog) if self.local_catalog.exists() else (self.catalog,)

    @field_validator("catalog", "local_corpus", "index_dir", mode="before")
    @classmethod
    def _named_path(cls, value: Any, info: ValidationInfo) -> Any:
        # An empty value would silently mean the current folder.
        if isinstance(value, str) and not value.strip():
            raise ValueError(f"{_env_name(info.field_name)} is set but empty: unset it for the default, or name a path")
        return value

    @field_validator("catalog", "local_corpus", "index_dir", "cache_dir", "embedding_model_dir")
    @classmethod
    def _expand_user(cls, value: Path | None) -> Path | None:
        return value.expanduser() if value is not None else None

    @field_validator("corpus_roots", mode="before")
    @classmethod
    def _roots(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None:
            local = info.data.get("local_corpus", _DEFAULT_LOCAL)
            return (local,) + ((_SHARED_CORPUS,) if _SHARED_CORPUS.is_dir() else ())
        if isinstance(value, str):
            return tuple(Path(p).expanduser() for p in value.split(os.pathsep) if p.strip())
        return value

    @field_validator("cache_dir", mode="before")
    @classmethod
    def _cache(cls, value: Any) -> Any:
        return value or _xdg("XDG_CACHE_HOME", Path.home() / ".cache")

    @field_validator("db", mode="before")
    @classmethod
    def _db(cls, value: Any) -> Any:
        if not value:
            return data_dir() / "conversations.sqlite3"
        text = str(value).strip()
        if not text.startswith(("postgresql://", "postgres://")):
            return Path(text).expanduser()
        from psycopg.conninfo import conninfo_to_dict

        try:
            conninfo_to_dict(text)
            urlsplit(text).port  # noqa: B018 - raises on a port that is not a number
        except Exception as exc:  # psycopg's ProgrammingError: the message names what is wrong
            # The URL itself is not repeated: it may hold a password.
            raise ValueError(f"POLICYQA_DB is not a valid PostgreSQL URL ({str(exc).splitlines()[0]})") from None
        return text

    @field_validator("model_threads", mode="before")
    @classmethod
    def _optional_count(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("embedding_model_dir", mode="before")
    @classmethod
    def _optional_folder(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("embedder")
    @classmethod
    def _embedder(cls, value: str) -> str:
        if value not in EMBEDDERS:
            raise ValueError(f"POLICYQA_EMBEDDER='{value}' is not an embedder: expected one of {', '.join(EMBEDDERS)}")
        return value

    @field_validator("api_key")
    @classmethod
    def _api_key(cls, value: str) -> str:
        # The value itself is never repeated in the message: it may be most of a real key.
        if value and len(value) < MIN_API_KEY_LENGTH:
            raise ValueError(
                f"POLICYQA_API_KEY is too short ({len(value)} characters): use at least "
                f"{MIN_API_KEY_LENGTH} characters, e.g. the output of "
                "`python -c 'import secrets; print(secrets.token_urlsafe(24))'`, or unset it"
            )
        if value != value.strip():
            raise ValueError("POLICYQA_API_KEY starts or ends with white space, which no client would send")
        return value

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _origins(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = tuple(o.strip() for o in value.split(",") if o.strip())
        for origin in value:
            if origin != "*" and not _is_origin(origin):
                raise ValueError(
                    f"POLICYQA_CORS_ORIGINS: '{origin}' is not an origin such as "
                    "'https://portal.example.org' (scheme and host, no path or trailing slash)"
                )
        return value

    @field_validator("rate_limit")
    @classmethod
    def _rate_limit(cls, value: str) -> str:
        return _rate_limit(value)

    @field_validator("llm_base_url")
    @classmethod
    def _llm_base_url(cls, value: str) -> str:
        parts = urlsplit(value.strip())
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"POLICYQA_LLM_BASE_URL='{value}' is not an http(s) address such as '{DEFAULT_LLM_BASE_URL}'")
        return value.strip()


def _is_origin(origin: str) -> bool:
    # Browsers send the origin without a path: 'https://x.org/' would never match, silently.
    parts = urlsplit(origin)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and not parts.path and not parts.query


def _rate_limit(value: str) -> str:
    """Refused at start, with the reason, rather than failing on the first request."""
    value = value.strip()
    if value.lower() in ("off", "0", "none"):
        return "off"
    from limits import parse_many

    try:
        parse_many(value)
    except ValueError as exc:
        raise ValueError(
            f"POLICYQA_RATE_LIMIT='{value}' is not a rate such as '120/minute' or '120/minute;10/second', nor 'off' ({exc})"
        ) from None
    return value


def _one_line(error: ValidationError) -> str:
    """Pydantic's report, one clause per variable; our own checks already name theirs."""
    clauses = []
    for item in error.errors(include_url=False, include_input=False):
        if item["type"] == "value_error":
            clauses.append(str(item["ctx"]["error"]))
        else:
            where = _env_name(str(item["loc"][0])) if item["loc"] else "the settings"
            clauses.append(f"{where}: {item['msg']}")
    return "; ".join(clauses)


def markdown_table() -> str:
    """The README's configuration table, from the fields (tests/test_settings.py keeps them equal)."""
    rows = ["| Variable | Default | Meaning |", "| --- | --- | --- |"]
    for name, field in Settings.model_fields.items():
        extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
        shown = extra.get("shown_default") or _shown(field.default)
        rows.append(f"| `{_env_name(name)}` | {shown} | {field.description} |")
    return "\n".join(rows)


def _shown(default: Any) -> str:
    if default in ("", ()):
        return "empty"
    return f"`{default}`"


if __name__ == "__main__":
    print(markdown_table())
