"""The careful mode: the judge's log-odds from a chat model's first token, the reconsidered
order (the chooser's log-odds plus the judge's, weighted), the answerers running it only when
they answer, the fit choosing its setting out of fold, and the plumbing against a real
llama.cpp server (the tiny SmolLM2: its verdicts are not the point)."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
from relevance_fixtures import fixed_model
from service_helpers import small_llm

from policyqa.answer.extractive import ExtractiveAnswerer
from policyqa.answer.features import FEATURES
from policyqa.answer.judge import Candidate, CarefulNotFitted, Judge, Judged, JudgeUnavailable, log_odds, messages
from policyqa.answer.relevance import AnswerSettings, Scored, reconsider
from policyqa.evaluation import fit
from policyqa.evaluation.questions import Question
from policyqa.index.embedder import HashingEmbedder
from policyqa.index.store import build_index, load_index
from policyqa.retrieve.retriever import Retriever
from policyqa.types import Document, Hit, Passage

DOCS = [Document(id="udhr-en", title="Universal Declaration of Human Rights", short_title="UDHR", lang="en", family="udhr", path="u.txt")]
PASSAGES = [
    Passage(id="a14", doc_id="udhr-en", lang="en", locator="Article 14", text="Everyone has the right to seek asylum from persecution."),
    Passage(id="a9", doc_id="udhr-en", lang="en", locator="Article 9", text="No one shall be subjected to arbitrary arrest or exile."),
    Passage(id="a13", doc_id="udhr-en", lang="en", locator="Article 13", text="Everyone has the right to leave any country."),
]


def test_log_odds_pool_every_spelling_and_count_a_missing_word_below_the_last_listed():
    top = [("Yes", math.log(0.5)), (" yes", math.log(0.1)), ("No", math.log(0.3)), ("Maybe", math.log(0.05))]
    assert log_odds(top) == pytest.approx(math.log(0.6 / 0.3))
    # "No" absent from the top: worth 2 nats under the least likely token listed.
    assert log_odds([("Yes", -0.1), ("The", -3.0)]) == pytest.approx(-0.1 - (-5.0))
    with pytest.raises(JudgeUnavailable):
        log_odds([])


def test_the_question_comes_before_the_passage_so_a_prompt_cache_serves_all_candidates():
    first = messages("Can a refugee be expelled?", Candidate("a", "UDHR", "Article 14", "", "Everyone has the right"))
    second = messages("Can a refugee be expelled?", Candidate("b", "UDHR", "Article 9", "", "No one shall be"))
    user_a, user_b = first[1]["content"], second[1]["content"]
    shared = next(i for i, (x, y) in enumerate(zip(user_a, user_b)) if x != y)
    assert user_a.index("Can a refugee be expelled?") < shared and first[0] == second[0]


def _scored(choices: list[float]) -> list[Scored]:
    return [Scored(Hit(PASSAGES[i], i + 1, 0.0, 0.0, 0.0), c) for i, c in enumerate(choices)]


def test_reconsider_weighs_the_judge_beside_the_chooser_and_keeps_the_rest_behind():
    ranked = _scored([0.6, 0.5, 0.4])
    # A confident judge against a close call moves the second candidate first.
    assert [s.hit.passage.id for s in reconsider(ranked, [-2.0, 2.0], 0.5)] == ["a9", "a14", "a13"]
    # A weak weight leaves the chooser's order; the third, not judged, stays where it was.
    kept = reconsider(ranked, [-0.1, 0.1], 0.1)
    assert [s.hit.passage.id for s in kept] == ["a14", "a9", "a13"] and kept[0].judged == -0.1 and kept[2].judged is None


class Scripted:
    """A judge that says yes to one passage, counting what it was asked."""

    def __init__(self, yes: str) -> None:
        self.yes = yes
        self.asked: list[str] = []

    def judge(self, question, candidates):
        self.asked += [c.passage_id for c in candidates]
        return [Judged(c.passage_id, 3.0 if c.passage_id == self.yes else -3.0, 5.0) for c in candidates]


@pytest.fixture()
def retriever(tmp_path):
    embedder = HashingEmbedder()
    build_index(PASSAGES, DOCS, embedder.embed_documents, embedder.name, embedder.fingerprint, embedder.dimension, tmp_path)
    return Retriever(load_index(tmp_path, embedder.fingerprint, embedder.dimension), lambda q: embedder.embed_queries([q])[0])


def test_the_careful_answer_cites_what_the_judge_prefers_among_close_candidates(retriever):
    question = "Does everyone have the right to seek asylum from arbitrary exile?"
    model = replace(fixed_model(0.0), careful_candidates=2, careful_weight=1.0)
    plain = ExtractiveAnswerer(retriever, AnswerSettings(model=model))
    fast = plain.answer(question, lang="en")
    first, second = [s.hit.passage.id for s in plain.front.gather(plain.front.read(question, "en"), 8).ranked[:2]]
    judge = Scripted(yes=second)
    careful = ExtractiveAnswerer(retriever, AnswerSettings(model=model, judge=judge)).answer(question, lang="en")
    assert fast.citations[0].passage_id == first and careful.citations[0].passage_id == second
    assert judge.asked == [first, second] and dict(careful.timings_ms)["judge"] == 10.0
    # Whether to answer is the chooser's support, decided before the judge: the same.
    assert careful.support == fast.support


def test_a_declined_question_never_reaches_the_judge(retriever):
    judge = Scripted(yes="a14")
    model = replace(fixed_model(0.999), careful_candidates=2, careful_weight=1.0)
    answer = ExtractiveAnswerer(retriever, AnswerSettings(model=model, judge=judge)).answer("What does the Kampala Convention say?")
    assert not answer.answered and judge.asked == []


def test_a_model_without_a_fitted_careful_mode_says_so(retriever):
    answerer = ExtractiveAnswerer(retriever, AnswerSettings(model=fixed_model(0.0), judge=Scripted(yes="a14")))
    with pytest.raises(CarefulNotFitted, match="relevance fit --judged"):
        answerer.answer("the right to seek asylum", lang="en")
    assert answerer.unreachable == (JudgeUnavailable,)


def _example(i: int, rng) -> fit.Example:
    """The chooser's first two candidates are close; the judge knows which one is right 80 %
    of the time."""
    rows = rng.normal(0.3, 0.01, size=(4, len(FEATURES)))
    right = int(rng.integers(2))
    rows[:2, FEATURES.index("dense")] = 0.6
    labels = np.zeros(4, dtype=int)
    labels[right] = 1
    q = Question(f"q{i}", "en", f"question {i}?", True, paraphrase_family=f"f{i // 3}")
    return fit.Example(q, q.paraphrase_family, rows, labels, False, passage_ids=tuple(f"p{i}-{j}" for j in range(4)))


def test_the_fit_chooses_the_careful_setting_out_of_fold_and_asks_for_missing_judgements():
    rng = np.random.default_rng(3)
    examples = [_example(i, rng) for i in range(90)]
    judged = {}
    for e in examples:
        right = int(np.argmax(e.labels))
        honest = rng.random() < 0.8
        for j, pid in enumerate(e.passage_ids):
            judged[(e.question.question, pid)] = (2.0 if j == right else -2.0) * (1 if honest else -1)
    choosers = [fixed_model().choose] * len(examples)
    k, weight, figures = fit.fit_careful(examples, choosers, judged)
    assert weight > 0 and figures["careful_out_of_fold"] > figures["chooser_alone"] + 0.15
    del judged[(examples[0].question.question, examples[0].passage_ids[0])]
    with pytest.raises(fit.FitError, match="1 candidates have no judgement"):
        fit.fit_careful(examples, choosers, judged)


def test_the_judge_reads_candidates_through_a_real_llama_cpp_server(tmp_path, retriever):
    model = replace(fixed_model(0.0), careful_candidates=2, careful_weight=1.0)
    with small_llm(tmp_path) as base:
        verdicts = Judge(base).judge(
            "Is there a right to seek asylum?", [Candidate(p.id, DOCS[0].title, p.locator, "", p.text) for p in PASSAGES[:2]]
        )
        careful = ExtractiveAnswerer(retriever, AnswerSettings(model=model, judge=Judge(base))).answer("right to seek asylum?", "en")
    assert careful.answered and dict(careful.timings_ms)["judge"] > 0 and careful.citations
    assert [v.passage_id for v in verdicts] == ["a14", "a9"]
    assert all(math.isfinite(v.log_odds) and v.ms > 0 for v in verdicts)
    with pytest.raises(JudgeUnavailable, match="did not answer"):
        Judge(base, timeout_s=2).judge("?", [Candidate("a14", "UDHR", "Article 14", "", "text")])


def test_without_the_generative_packages_the_judge_says_what_to_install(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "openai", None)  # what a serving-only install has
    with pytest.raises(JudgeUnavailable, match="make llm"):
        Judge("http://127.0.0.1:9/v1").judge("?", [Candidate("a14", "UDHR", "Article 14", "", "text")])
