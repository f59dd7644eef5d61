"""The careful mode's judge: the local generative model reads the question with each of the
first few candidates and says whether the passage itself states the answer.

Why: the chooser (relevance.py) weighs cosines, words and structure, and on the development
questions the passage it puts first holds the evidence for about 72 % of answerable
questions while a candidate that does is among the first three for 87 %. What separates them
(a sub-item group of the same paragraph, a sister resolution's paragraph on women migrant
workers only, a preambular recital) takes reading both texts together. The judge's answer
is not taken as it is: its log-odds of "Yes" against "No" for the first token is added, with a
weight fitted by cross-validation on the development part, to the chooser's own log-odds
(evaluation/fit.py), so a small model that is often unsure moves only close calls.

The judge decides which passage is cited, never whether to answer: the support and the
decline threshold are the chooser's, computed before the judge runs.

It speaks to the same OpenAI-compatible endpoint as the generative mode (`policyqa llm
serve`), through the chat endpoint's log-probabilities, so any chat model served there works.

With Qwen2.5-Coder-1.5B as the judge the careful mode gained out of fold on the development
part and lost on the second sealed set, so the packaged relevance model has no careful
setting (eval/README.md): this is the way to try a stronger judge, not a mode offered now.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass

SYSTEM = "You are a careful legal research assistant. You judge whether a passage of a policy text answers a question."
QUESTION = (
    'Question: {question}\n\nPassage from {title}, {locator} ({context}):\n"{text}"\n\n'
    "Does this passage itself state the answer to the question (and come from the text the question names, if it names one)? "
    "Reply Yes or No."
)
_YES, _NO = "yes", "no"
# What a token missing from the top log-probabilities is taken to be worth, below the last one listed.
_MISSING = 2.0
TOP_LOGPROBS = 10


class JudgeUnavailable(RuntimeError):
    """No model answered the judge (none served, refused, timed out)."""


class CarefulNotFitted(JudgeUnavailable):
    """The relevance model has no careful setting: none was fitted, or the one fitted did not
    hold on sealed questions and was not kept (eval/README.md)."""


@dataclass(frozen=True)
class Judged:
    """One candidate as the judge read it."""

    passage_id: str
    log_odds: float  # log P(Yes) - log P(No) for the judge's first token
    ms: float


@dataclass(frozen=True)
class Candidate:
    passage_id: str
    title: str
    locator: str
    context: str
    text: str


def messages(question: str, candidate: Candidate) -> list[dict[str, str]]:
    # The question comes before the passage so that a server reusing its prompt cache reads
    # the shared beginning once for all of a question's candidates.
    user = QUESTION.format(
        question=question, title=candidate.title, locator=candidate.locator, context=candidate.context, text=candidate.text
    )
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": user}]


def log_odds(top: Sequence[tuple[str, float]]) -> float:
    """Log-odds of "Yes" against "No" from the first token's top log-probabilities, every
    spelling of each word pooled ("Yes", " yes")."""
    if not top:
        raise JudgeUnavailable("the model returned no log-probabilities: serve it with logits enabled (policyqa llm serve)")
    floor = min(p for _, p in top) - _MISSING

    def pooled(word: str) -> float:
        found = [p for token, p in top if token.strip().lower() == word]
        return math.log(sum(math.exp(p) for p in found)) if found else floor

    return pooled(_YES) - pooled(_NO)


class Judge:
    """The judge on an OpenAI-compatible chat endpoint."""

    def __init__(self, base_url: str, model: str = "local", api_key: str = "not-needed", timeout_s: float = 60.0) -> None:
        self.base_url = base_url
        self.model = model
        self.api_key = api_key
        self.timeout_s = timeout_s
        self._client = None

    def _openai(self):
        # The OpenAI client comes with the generative mode's packages (the llm extra); a
        # service installed for serving only has no judge, which is said, not a crash.
        try:
            import openai
        except ImportError as exc:
            raise JudgeUnavailable("the careful mode needs the generative mode's packages: run `make llm`") from exc
        return openai

    def _chat(self):
        if self._client is None:
            self._client = self._openai().OpenAI(base_url=self.base_url, api_key=self.api_key, timeout=self.timeout_s, max_retries=0)
        return self._client

    def judge(self, question: str, candidates: Sequence[Candidate]) -> list[Judged]:
        openai = self._openai()
        out = []
        for candidate in candidates:
            started = time.perf_counter()
            try:
                reply = self._chat().chat.completions.create(
                    model=self.model,
                    messages=messages(question, candidate),
                    max_tokens=1,
                    temperature=0,
                    logprobs=True,
                    top_logprobs=TOP_LOGPROBS,
                )
            except openai.APIError as exc:
                raise JudgeUnavailable(f"the judge's model did not answer at {self.base_url}: {exc}") from exc
            content = (reply.choices[0].logprobs.content or []) if reply.choices and reply.choices[0].logprobs else []
            top = [(t.token, t.logprob) for t in content[0].top_logprobs] if content else []
            out.append(Judged(candidate.passage_id, log_odds(top), (time.perf_counter() - started) * 1000))
        return out
