"""One settings object, read from the environment once.

Every path the program touches is decided here, so tests can point all state at a
temporary folder by setting environment variables.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from policyqa.paths import cache_dir

REPO_ROOT = Path(__file__).resolve().parents[2]


def _paths(value: str) -> tuple[Path, ...]:
    return tuple(Path(p).expanduser() for p in value.split(os.pathsep) if p.strip())


@dataclass(frozen=True)
class Settings:
    catalog: Path
    local_dir: Path  # the git-ignored drop folder for a user's own files and catalogue
    corpus_roots: tuple[Path, ...]
    index_dir: Path
    cache_dir: Path
    # The service's guards. Reload and rebuild need this key (disabled when empty).
    api_key: str = ""
    cors_origins: tuple[str, ...] = ()
    # Per client and route group on the routes that run the model ("off" disables it): a
    # person asks a few questions a minute; a training room behind one address stays well under.
    rate_limit: str = "120/minute"

    @property
    def local_catalog(self) -> Path:
        return self.local_dir / "catalog.toml"

    @property
    def catalogs(self) -> tuple[Path, ...]:
        return (self.catalog, self.local_catalog) if self.local_catalog.exists() else (self.catalog,)

    @classmethod
    def from_env(cls) -> "Settings":
        env = os.environ
        catalog = Path(env.get("POLICYQA_CATALOG", REPO_ROOT / "corpus" / "catalog.toml"))
        local_dir = Path(env.get("POLICYQA_LOCAL_CORPUS", REPO_ROOT / "corpus" / "local"))
        if "POLICYQA_CORPUS_ROOTS" in env:
            roots = _paths(env["POLICYQA_CORPUS_ROOTS"])
        else:
            shared = REPO_ROOT.parent / "shared" / "corpus"
            roots = (local_dir,) + ((shared,) if shared.is_dir() else ())
        return cls(
            catalog=catalog.expanduser(),
            local_dir=local_dir.expanduser(),
            corpus_roots=roots,
            index_dir=Path(env.get("POLICYQA_INDEX_DIR", REPO_ROOT / "index")).expanduser(),
            cache_dir=cache_dir(),
            api_key=env.get("POLICYQA_API_KEY", ""),
            cors_origins=tuple(o.strip() for o in env.get("POLICYQA_CORS_ORIGINS", "").split(",") if o.strip()),
            rate_limit=_rate_limit(env.get("POLICYQA_RATE_LIMIT", cls.rate_limit)),
        )


def _rate_limit(value: str) -> str:
    """Refused at start, with the reason, rather than failing on the first request."""
    value = value.strip()
    if value.lower() in ("off", "0", "none"):
        return "off"
    from limits import parse_many

    try:
        parse_many(value)
    except ValueError as exc:
        raise ValueError(f"POLICYQA_RATE_LIMIT='{value}' is not a rate such as '120/minute' or "
                         f"'120/minute;10/second', nor 'off' ({exc})") from None
    return value
