"""pdf.js, which the chat page uses to show a cited PDF page with the quote highlighted.

It comes from the npm registry as the published `pdfjs-dist` tarball, checked against the
registry's sha512 integrity pinned here, and is unpacked into policyqa's cache folder; the
service serves it from there under /static/vendor/pdfjs/. No CDN is ever asked at run time
(delegates' networks often block them, and a page that loads code from elsewhere is code we
did not check), and no node toolchain is needed: the tarball is the built library.

    python -m policyqa_api.vendor     fetch it (scripts/setup does), or say where it is
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import io
import shutil
import sys
import tarfile
import tempfile
import urllib.request
from pathlib import Path

from policyqa.settings import cache_dir

VERSION = "6.5.438"
TARBALL = f"https://registry.npmjs.org/pdfjs-dist/-/pdfjs-dist-{VERSION}.tgz"
INTEGRITY = "sha512-vg8Pw1x+AFKy4AMDvhuWl5cOYV8d698UoEANoFFhc79hqXDnZQqnOXoxw3HG907WHOg1JYOvLhP756boddFxpA=="
# What the page loads: the library and its worker, the character maps and standard fonts a
# PDF without embedded fonts needs, the image decoders, and the licences.
KEEP = (
    "build/pdf.min.mjs",
    "build/pdf.worker.min.mjs",
    "web/pdf_viewer.css",  # the text layer's rules, so the page's text can be selected and copied
    "cmaps/",
    "standard_fonts/",
    "wasm/",
    "LICENSE",
    "package.json",
)
# Written last: its presence means the folder is complete.
DONE = ".complete"


class VendorError(RuntimeError):
    pass


def folder() -> Path:
    return cache_dir() / "web" / f"pdfjs-dist-{VERSION}"


def ready() -> Path | None:
    path = folder()
    return path if (path / DONE).exists() else None


def _check(data: bytes) -> None:
    algorithm, expected = INTEGRITY.split("-", 1)
    actual = base64.b64encode(hashlib.new(algorithm, data).digest()).decode()
    if actual != expected:
        raise VendorError(f"pdfjs-dist {VERSION}: the tarball's {algorithm} is {actual}, the pinned one {expected}; refusing it")


def _download(url: str, timeout: float = 60.0) -> bytes:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as reply:  # noqa: S310 (a fixed https address)
            return reply.read()
    except (OSError, http.client.HTTPException) as error:
        raise VendorError(f"could not download pdf.js from {url}: {error}") from error


def install(data: bytes | None = None) -> Path:
    """Fetch (unless `data`, the tarball, is given), verify and unpack; idempotent."""
    done = ready()
    if done:
        return done
    data = _download(TARBALL) if data is None else data
    _check(data)
    target = folder()
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".pdfjs-", dir=target.parent))
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
            for member in archive.getmembers():
                name = member.name.removeprefix("package/")
                # Regular files of the kept folders only, never a path that climbs out.
                if not (member.isfile() and member.name.startswith("package/") and name.startswith(KEEP)) or ".." in name.split("/"):
                    continue
                out = staging / name
                out.parent.mkdir(parents=True, exist_ok=True)
                out.write_bytes(archive.extractfile(member).read())
        (staging / DONE).write_text(VERSION + "\n", encoding="utf-8")
        shutil.rmtree(target, ignore_errors=True)
        staging.rename(target)
    except (OSError, tarfile.TarError) as error:
        raise VendorError(f"pdf.js could not be unpacked into {target}: {error}") from error
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def main() -> int:
    try:
        path = install()
    except VendorError as error:
        print(f"policyqa: {error}", file=sys.stderr)
        return 1
    print(f"pdf.js {VERSION} in {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
