"""When the corpus answers a question, and which candidate states the answer: the thresholds
and rerank weights every answer mode and the training material share, each calibrated on a
named question set (eval/README.md)."""

from __future__ import annotations

from dataclasses import dataclass

from policyqa.types import Hit


@dataclass(frozen=True)
class AnswerSettings:
    # Calibrated on eval/questions/gold.jsonl: the best passage's cosine under this means the
    # corpus most likely does not answer (see eval/README.md for the trade-off measured).
    # A question and a passage in different languages score lower for the same relevance,
    # so the cross-language threshold is lower.
    min_dense: float = 0.455
    min_dense_cross: float = 0.42
    max_sources: int = 3  # the chosen passage and the same wording elsewhere
    max_quote_words: int = 110
    see_also: int = 3
    # An answer also lists the next provisions of the rerank, not cited, as "see also".
    nearby: int = 2
    nearby_quote_words: int = 40
    # Which candidate to cite (a wrong citation is worse than none, so one passage is cited,
    # not every passage that scores near the best). Each candidate gets the whole passage's
    # cosine mixed with its closest unit's (a long passage's vector averages its topics; the
    # line that answers matches the question more closely), plus small lexical and
    # structural signals. Weights calibrated on eval/questions/gold.jsonl, odd and even
    # halves cross-checked (eval/README.md).
    candidates: int = 8  # how many retrieved hits are reranked
    # When the question names an instrument, its own passages are looked for this deep in
    # the results (another instrument's passage does not answer the asker).
    named_depth: int = 30
    unit_weight: float = 0.25
    sparse_weight: float = 0.02  # BM25, relative to the best candidate's or to sparse_floor
    # A best BM25 under this is no real word match (a French question scored against English
    # text gets about 0.5 from shared stems), so it is not scaled up to count as a full one.
    sparse_floor: float = 2.0
    coverage_weight: float = 0.05  # share of the question's words found in the passage (same language only)
    located_bonus: float = 0.05  # the passage is at the article/paragraph/objective the question names
    # A question about a named provision as a whole ("what does Objective 1 call for") is
    # answered by its chapeau, which states the commitment; the sub-items list actions.
    chapeau_bonus: float = 0.04
    preamble_penalty: float = 0.05  # a preambular paragraph recalls context; operative ones decide
    # Another candidate is cited beside the chosen one when it repeats the same wording
    # (the 2023 and 2025 versions of a resolution): share of analysed words in common.
    same_wording: float = 0.9

    def covered(self, hits: list[Hit], asker: str) -> bool:
        """Whether some passage is close enough to the question to answer from it (each
        against the threshold for its own language)."""
        return any(h.dense >= (self.min_dense if h.passage.lang == asker else self.min_dense_cross) for h in hits)
