"""EmbeddingGemma under ONNX Runtime: the same vectors as the PyTorch embedder (fp32), or
close to them (int8), at a third to a sixth of the cost per query on 2 cores.

The graph made by `onnx_export` holds the whole model, pooling and normalisation included;
this side only tokenises (the model's own tokenizer, with its query and document prompts,
exactly as sentence-transformers does) and runs the session. PyTorch is not loaded.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from policyqa.index import onnx_export
from policyqa.index.embedder import bounded, digest, normalise
from policyqa.index.threads import usable_cpus
from policyqa.index.weights import EMBEDDING_MODEL


class OnnxEmbedder:
    """One ONNX variant of the model, loaded on first use (once, even across threads)."""

    def __init__(self, variant: str, model_folder: Path, weights_folder: Path, batch_size: int = 8, threads: int | None = None) -> None:
        self.variant = variant
        self.model_folder, self.weights_folder = Path(model_folder), Path(weights_folder)
        self.batch_size = batch_size
        self.threads = threads or usable_cpus()
        self._session: Any = None
        self._tokenizer: Any = None
        self._lock = threading.Lock()
        config = json.loads((self.weights_folder / "config_sentence_transformers.json").read_text(encoding="utf-8"))
        self.prompts = {"query": config["prompts"]["query"], "document": config["prompts"]["document"]}
        sizing = json.loads((self.weights_folder / "sentence_bert_config.json").read_text(encoding="utf-8"))
        self.max_seq_length = int(sizing["max_seq_length"])
        # What decides the vectors: the weights, the export's version and the variant. Not the
        # graph file's bytes: two exports of the same weights differ in node names only (the
        # weights' bytes are equal), and an index must stay usable after the cache is remade.
        source = EMBEDDING_MODEL.hashes["model.safetensors"]
        self._fingerprint = digest("onnx-v1", self.name, source, onnx_export.EXPORT_VERSION, self.dimension, self.max_seq_length)[:16]

    @property
    def name(self) -> str:
        # Recorded in the index manifest: says which encoder built an index.
        return f"{EMBEDDING_MODEL.name} (onnx {self.variant})"

    @property
    def dimension(self) -> int:
        return EMBEDDING_MODEL.dimension

    @property
    def fingerprint(self) -> str:
        return self._fingerprint

    def _loaded(self) -> tuple[Any, Any]:
        """The session and the tokenizer, loaded on first use."""
        if self._session is None:
            self._load()
        return self._session, self._tokenizer

    def _load(self) -> None:
        with self._lock:
            if self._session is not None:
                return
            os.environ["HF_HUB_OFFLINE"] = "1"
            os.environ["TRANSFORMERS_OFFLINE"] = "1"
            import onnxruntime
            from transformers import AutoTokenizer

            options = onnxruntime.SessionOptions()
            # One session serves every request; its threads are the machine's, never more.
            options.intra_op_num_threads = self.threads
            options.inter_op_num_threads = 1
            options.log_severity_level = 3
            self._tokenizer = AutoTokenizer.from_pretrained(str(self.weights_folder), local_files_only=True)
            self._session = onnxruntime.InferenceSession(str(self.model_folder / "model.onnx"), options, providers=["CPUExecutionProvider"])

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode([bounded(t, lambda: self._loaded()[1]) for t in texts], self.prompts["query"])

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(list(texts), self.prompts["document"])

    def _encode(self, texts: list[str], prompt: str) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        session, tokenizer = self._loaded()
        # Sorted by length so a batch pads little, as sentence-transformers does.
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for start in range(0, len(order), self.batch_size):
            rows = order[start : start + self.batch_size]
            tokens = tokenizer(
                [prompt + texts[i] for i in rows], padding=True, truncation=True, max_length=self.max_seq_length, return_tensors="np"
            )
            feeds = {"input_ids": tokens["input_ids"].astype(np.int64), "attention_mask": tokens["attention_mask"].astype(np.int64)}
            out[rows] = session.run(None, feeds)[0]
        return normalise(out)


def load_onnx_embedder(variant: str, threads: int | None = None) -> OnnxEmbedder:
    """The verified variant; raises EncoderMissingError or ModelMissingError saying what to run."""
    from policyqa.index import weights

    return OnnxEmbedder(variant, onnx_export.verify(variant), weights.verify(EMBEDDING_MODEL), threads=threads)
