"""Where policyqa keeps state that lives outside the repository (weights, embedding caches,
conversations)."""

from __future__ import annotations

import os
from pathlib import Path


def _xdg(variable: str, fallback: Path) -> Path:
    # An empty or relative XDG_* value is invalid per the XDG spec and must be ignored.
    value = os.environ.get(variable)
    if value and Path(value).expanduser().is_absolute():
        return Path(value).expanduser() / "policyqa"
    return fallback / "policyqa"


def cache_dir() -> Path:
    """The root of policyqa's cache: $POLICYQA_CACHE_DIR, else $XDG_CACHE_HOME/policyqa, else ~/.cache/policyqa.

    Read on every call (never at import) so that tests and the CLI can redirect it through the
    environment. The folder is not created here: callers create what they write.
    """
    explicit = os.environ.get("POLICYQA_CACHE_DIR")
    if explicit:
        return Path(explicit).expanduser()
    return _xdg("XDG_CACHE_HOME", Path.home() / ".cache")


def data_dir() -> Path:
    """Where policyqa keeps what users made (conversations, feedback): $XDG_DATA_HOME/policyqa,
    else ~/.local/share/policyqa. Not created here."""
    return _xdg("XDG_DATA_HOME", Path.home() / ".local" / "share")
