"""Mode → answerer: the one place the API, the CLI, the evaluation harness and the
benchmarks turn an answer mode's name into an answerer. A new mode is one module and one
line here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Literal, get_args

from policyqa.answer.extractive import ExtractiveAnswerer
from policyqa.answer.front import Answerer
from policyqa.answer.judge import Judge
from policyqa.answer.relevance import AnswerSettings
from policyqa.retrieve.retriever import Retriever

# The API's schemas validate a mode against this type.
Mode = Literal["extractive", "llm"]
MODES: tuple[str, ...] = get_args(Mode)


def make_answerer(
    mode: str, retriever: Retriever, *, llm_settings=None, chat_model: Callable[[], object] | None = None, careful: bool = False
) -> Answerer:
    """`llm_settings` and `chat_model` (called only for the generative mode, so a service can
    share one client) default to the environment's endpoint. `careful`: the judge on that same
    endpoint reconsiders which passage is cited (judge.py), in either mode."""
    if mode not in MODES:
        raise ValueError(f"answer mode '{mode}' is not available: use {' or '.join(MODES)}")
    answer_settings = AnswerSettings()
    if careful or mode == "llm":
        # Imported here: the generative mode's packages are an optional extra.
        from policyqa.answer.generative import LLMSettings

        llm_settings = llm_settings or LLMSettings.from_env()
    if careful:
        answer_settings = replace(answer_settings, judge=Judge(llm_settings.base_url, llm_settings.model, llm_settings.api_key))
    if mode == "extractive":
        return ExtractiveAnswerer(retriever, answer_settings)
    from policyqa.answer.generative import LLMAnswerer
    from policyqa.answer.generative import chat_model as default_chat_model

    return LLMAnswerer(retriever, chat_model() if chat_model else default_chat_model(llm_settings), llm_settings, answer_settings)
