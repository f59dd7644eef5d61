"""EmbeddingGemma as ONNX Runtime models, made on this machine from the verified weights and
cached beside them, each variant with its own sha256 manifest.

PyTorch runs the model at about 120 ms a query on 2 cores; the same graph under ONNX Runtime
runs at about 40 ms (fp32, cosine 1.0 to PyTorch) and about 21 ms (dynamic int8, cosine about
0.98), measured by `eval/benchmarks/encoders.py`. The export needs no exporter package:
`torch.onnx` traces the sentence-transformers model whole (transformer, mean pooling, both
dense layers, normalisation), and onnxruntime quantises it. The int8 weights are unsigned
(U8U8): ONNX Runtime's signed-weight kernels on CPUs without VNNI (AVX2 only) can saturate
and lose accuracy, and the file must give the same vectors on every machine of the kind.

The files are not binaries built for this CPU: an ONNX graph is portable, and onnxruntime
picks its kernels when it loads.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path

from policyqa.index import weights
from policyqa.index.weights import EMBEDDING_MODEL, sha256_file
from policyqa.index.weights_fetch import exclusive
from policyqa.settings import cache_dir

VARIANTS = ("fp32", "int8")
# Bumped when the export changes: a cache made by another version is made again.
EXPORT_VERSION = 1
MANIFEST = "manifest.json"
Progress = Callable[[str], None]


class EncoderMissingError(Exception):
    """The ONNX model of a variant is absent or not as it was made; the message says what to run."""


def folder(variant: str) -> Path:
    return cache_dir() / "models" / f"{EMBEDDING_MODEL.folder}-onnx-v{EXPORT_VERSION}" / variant


def _source_sha256() -> str:
    return EMBEDDING_MODEL.hashes["model.safetensors"]


def verify(variant: str, full: bool = False) -> Path:
    """The variant's folder, or EncoderMissingError. The cheap check compares sizes with the
    manifest; `full` re-hashes every file."""
    if variant not in VARIANTS:
        raise ValueError(f"unknown ONNX variant '{variant}': expected one of {', '.join(VARIANTS)}")
    directory = folder(variant)
    problems = _problems(directory, full)
    if problems:
        raise EncoderMissingError(
            f"the ONNX {variant} encoder in {directory} cannot be used: {'; '.join(problems)}. "
            "Run `policyqa models fetch` (it makes it from the verified weights in a few minutes)."
        )
    return directory


def _problems(directory: Path, full: bool) -> list[str]:
    try:
        manifest = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ["it has not been made yet"]
    if manifest.get("source_sha256") != _source_sha256():
        return ["it was made from other weights"]
    found = []
    for rel, entry in manifest.get("files", {}).items():
        path = directory / rel
        if not path.is_file():
            found.append(f"{rel} is missing")
        elif path.stat().st_size != entry.get("size"):
            found.append(f"{rel} changed size")
        elif full and sha256_file(path) != entry.get("sha256"):
            found.append(f"{rel} has another sha256")
    return found


def ensure(variants: tuple[str, ...] = VARIANTS, progress: Progress | None = None, force: bool = False) -> dict[str, Path]:
    """Make every missing variant from the verified weights; a no-op when all are there."""
    say = progress or (lambda _message: None)
    wanted = [v for v in variants if force or _problems(folder(v), full=False)]
    if not wanted:
        return {v: folder(v) for v in variants}
    source = weights.verify(EMBEDDING_MODEL)
    root = folder(VARIANTS[0]).parent
    root.mkdir(parents=True, exist_ok=True)
    with exclusive(root / ".lock"):
        # Another process may have made them while this one waited for the lock.
        wanted = [v for v in wanted if force or _problems(folder(v), full=False)]
        if not wanted:
            return {v: folder(v) for v in variants}
        for stale in root.glob(".partial-*"):
            shutil.rmtree(stale, ignore_errors=True)
        staging = root / f".partial-{os.getpid()}"
        staging.mkdir()
        try:
            started = time.perf_counter()
            say(f"exporting {EMBEDDING_MODEL.name} to ONNX (once per machine, a few minutes)")
            fp32 = _export(source, staging / "fp32")
            say(f"exported in {time.perf_counter() - started:.0f} s")
            if "int8" in wanted:
                _quantise(fp32, staging / "int8")
                say("quantised to int8")
            for variant in wanted:
                _write_manifest(staging / variant, variant)
                target = folder(variant)
                if target.exists():
                    shutil.rmtree(target)
                os.replace(staging / variant, target)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return {v: folder(v) for v in variants}


def _export(source: Path, out: Path) -> Path:
    # The exporter reads the model only: keep it off any hub, as the embedder does.
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    import torch
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(source), device="cpu", local_files_only=True).eval()

    class Whole(torch.nn.Module):
        """The model from token ids to the normalised sentence vector, as one graph."""

        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask):
            return self.model({"input_ids": input_ids, "attention_mask": attention_mask})["sentence_embedding"]

    example = model.tokenizer(["task: search result | query: example", "title: none | text: a longer example text"],
                              padding=True, return_tensors="pt")  # fmt: skip
    batch, seq = torch.export.Dim("batch", min=1, max=1024), torch.export.Dim("seq", min=2, max=8192)
    out.mkdir(parents=True)
    path = out / "model.onnx"
    with torch.no_grad():
        torch.onnx.export(
            Whole().eval(),
            (example["input_ids"], example["attention_mask"]),
            str(path),
            input_names=["input_ids", "attention_mask"],
            # Not "embedding": a node of the Gemma graph already has that name.
            output_names=["sentence_vector"],
            dynamic_shapes={"input_ids": {0: batch, 1: seq}, "attention_mask": {0: batch, 1: seq}},
            dynamo=True,
            external_data=True,
        )
    return path


def _quantise(fp32: Path, out: Path) -> Path:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    out.mkdir(parents=True)
    path = out / "model.onnx"
    quantize_dynamic(str(fp32), str(path), weight_type=QuantType.QUInt8)
    return path


def _write_manifest(directory: Path, variant: str) -> None:
    import onnxruntime
    import torch

    files = {
        p.relative_to(directory).as_posix(): {"sha256": sha256_file(p), "size": p.stat().st_size}
        for p in sorted(directory.rglob("*"))
        if p.is_file() and p.name != MANIFEST
    }
    manifest = {
        "model": EMBEDDING_MODEL.name,
        "variant": variant,
        "export_version": EXPORT_VERSION,
        "source_sha256": _source_sha256(),
        "torch": torch.__version__,
        "onnxruntime": onnxruntime.__version__,
        "files": files,
    }
    (directory / MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
