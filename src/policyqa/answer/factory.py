"""Mode → answerer: the one place the API, the CLI, the evaluation harness and the
benchmarks turn an answer mode's name into an answerer. A new mode is one module and one
line here."""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal, get_args

from policyqa.answer.extractive import ExtractiveAnswerer
from policyqa.answer.front import Answerer
from policyqa.retrieve.retriever import Retriever

# The API's schemas validate a mode against this type.
Mode = Literal["extractive", "llm"]
MODES: tuple[str, ...] = get_args(Mode)


def make_answerer(mode: str, retriever: Retriever, *, llm_settings=None, chat_model: Callable[[], object] | None = None) -> Answerer:
    """`llm_settings` and `chat_model` (called only for the generative mode, so a service can
    share one client) default to the environment's endpoint."""
    if mode == "extractive":
        return ExtractiveAnswerer(retriever)
    if mode == "llm":
        # Imported here: the generative mode's packages are an optional extra.
        from policyqa.answer.generative import LLMAnswerer, LLMSettings
        from policyqa.answer.generative import chat_model as default_chat_model

        settings = llm_settings or LLMSettings.from_env()
        return LLMAnswerer(retriever, chat_model() if chat_model else default_chat_model(settings), settings)
    raise ValueError(f"answer mode '{mode}' is not available: use {' or '.join(MODES)}")
