"""The ONNX Runtime encoders: their cache is checked like the weights, and they give the
PyTorch model's vectors (fp32) or vectors close to them (int8), prompts and bounds included."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

from policyqa.index import onnx_export
from policyqa.index.weights import EMBEDDING_MODEL, ModelMissingError, sha256_file

QUERIES = [
    "Que prévoit le Pacte mondial sur la détention des enfants ?",
    "Does the Global Compact allow the detention of migrant children?",
    "article 33 de la Convention de 1951",
    "et pour les femmes ?",
]
PASSAGES = [
    "We commit to ensure that any detention in the context of international migration follows due process, is non-arbitrary, "
    "is based on law, necessity, proportionality and individual assessments.",
    "Toute personne a le droit de circuler librement et de choisir sa résidence à l'intérieur d'un Etat.",
]


def _fake_variant(cache, variant: str = "int8") -> None:
    folder = cache / "models" / f"{EMBEDDING_MODEL.folder}-onnx-v{onnx_export.EXPORT_VERSION}" / variant
    folder.mkdir(parents=True)
    (folder / "model.onnx").write_bytes(b"graph" * 100)
    files = {"model.onnx": {"sha256": sha256_file(folder / "model.onnx"), "size": 500}}
    manifest = {"variant": variant, "source_sha256": EMBEDDING_MODEL.hashes["model.safetensors"], "files": files}
    (folder / onnx_export.MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")


def test_a_made_encoder_is_checked_like_the_weights(tmp_path, monkeypatch):
    monkeypatch.setenv("POLICYQA_CACHE_DIR", str(tmp_path))
    with pytest.raises(onnx_export.EncoderMissingError, match="not been made yet.*policyqa models fetch"):
        onnx_export.verify("int8")
    _fake_variant(tmp_path)
    folder = onnx_export.verify("int8", full=True)
    # Same size, other bytes: only the full check sees it.
    (folder / "model.onnx").write_bytes(b"GRAPH" * 100)
    assert onnx_export.verify("int8") == folder
    with pytest.raises(onnx_export.EncoderMissingError, match="another sha256"):
        onnx_export.verify("int8", full=True)
    (folder / "model.onnx").write_bytes(b"graph")
    with pytest.raises(onnx_export.EncoderMissingError, match="changed size"):
        onnx_export.verify("int8")
    manifest = json.loads((folder / onnx_export.MANIFEST).read_text())
    (folder / onnx_export.MANIFEST).write_text(json.dumps({**manifest, "source_sha256": "0" * 64}))
    with pytest.raises(onnx_export.EncoderMissingError, match="other weights"):
        onnx_export.verify("int8")
    with pytest.raises(ValueError, match="fp32, int8"):
        onnx_export.verify("fp16")


def _onnx(variant: str):
    from policyqa.index.onnx_embedder import load_onnx_embedder

    required = os.environ.get("POLICYQA_REQUIRE_MODEL", "").strip().lower() not in ("", "0", "false", "no")
    try:
        return load_onnx_embedder(variant)
    except (onnx_export.EncoderMissingError, ModelMissingError) as exc:
        if required:
            raise
        pytest.skip(f"the ONNX {variant} encoder is not made: {exc}")


@pytest.mark.model
@pytest.mark.parametrize(("variant", "floor"), [("fp32", 0.999), ("int8", 0.95)])
def test_onnx_vectors_match_the_pytorch_model(real_embedder, variant, floor):
    onnx = _onnx(variant)
    for ours, reference in ((onnx.embed_queries(QUERIES), real_embedder.embed_queries(QUERIES)),
                            (onnx.embed_documents(PASSAGES), real_embedder.embed_documents(PASSAGES))):  # fmt: skip
        assert ours.shape == reference.shape and ours.dtype == np.float32
        assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-4)
        cosines = (ours * reference).sum(axis=1)
        assert cosines.min() >= floor, cosines
    # The model's prompts are applied: a question embedded as a document is another vector.
    assert float(onnx.embed_queries(QUERIES[:1])[0] @ onnx.embed_documents(QUERIES[:1])[0]) < 0.99
    # Batches are sorted by length inside; the rows come back in the caller's order.
    assert np.allclose(onnx.embed_documents(PASSAGES[::-1]), onnx.embed_documents(PASSAGES)[::-1], atol=1e-5)


@pytest.mark.model
def test_each_encoder_has_its_own_fingerprint_and_name(real_embedder):
    fp32, int8 = _onnx("fp32"), _onnx("int8")
    assert len({fp32.fingerprint, int8.fingerprint, real_embedder.fingerprint}) == 3
    assert int8.name.endswith("(onnx int8)") and fp32.dimension == real_embedder.dimension == 768
    long_question = "Quelles garanties " * 400 + "et pour les femmes ?"
    assert fp32.embed_queries([long_question]).shape == (1, 768)
