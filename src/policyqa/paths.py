"""Where policyqa keeps state that lives outside the repository (weights, embedding caches)."""

from __future__ import annotations

import os
from pathlib import Path


def cache_dir() -> Path:
    """The root of policyqa's cache: $POLICYQA_CACHE_DIR, else $XDG_CACHE_HOME/policyqa, else ~/.cache/policyqa.

    Read on every call (never at import) so that tests and the CLI can redirect it through the
    environment. The folder is not created here: callers create what they write.
    """
    explicit = os.environ.get("POLICYQA_CACHE_DIR")
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    # An empty or relative XDG_CACHE_HOME is invalid per the XDG spec and must be ignored.
    if xdg and Path(xdg).expanduser().is_absolute():
        return Path(xdg).expanduser() / "policyqa"
    return Path.home() / ".cache" / "policyqa"
