"""The front every answer mode shares: one language decision, one search, one refusal, and
the factory that turns a mode's name into an answerer."""

from __future__ import annotations

import pytest
from index_fixtures import DOCS, _build, _retriever
from relevance_fixtures import fixed_model

from policyqa.answer.extractive import ExtractiveAnswerer
from policyqa.answer.factory import MODES, make_answerer
from policyqa.answer.front import Asked, Front
from policyqa.answer.generative import LLMAnswerer, LLMSettings
from policyqa.answer.judge import JudgeUnavailable
from policyqa.answer.phrases import UNSUPPORTED_LANGUAGE
from policyqa.answer.relevance import AnswerSettings
from policyqa.retrieve.filters import Filters, UnknownFilter, check
from policyqa.text import language
from policyqa.types import Answer, Document

STRICT = AnswerSettings(model=fixed_model(0.999))


class NeverCalled:
    def stream(self, messages):
        raise AssertionError("the model must not be asked when the corpus does not cover the question")


@pytest.fixture()
def retriever(tmp_path):
    _build(tmp_path)
    return _retriever(tmp_path)


def test_the_front_decides_the_language_once(retriever):
    front = Front(retriever, AnswerSettings(), "extractive")
    asked = front.read("  Quel   est le droit d'asile ?  ")
    assert asked == Asked("Quel est le droit d'asile ?", "fr", Filters())
    assert front.read("What is the right to asylum?", lang="fr").lang == "fr"
    refused = front.read("Was ist das Asylrecht für Kinder in Europa?")
    assert isinstance(refused, Answer) and refused.text == UNSUPPORTED_LANGUAGE and refused.lang == "de"
    # The asker's explicit choice is served whatever the question's language.
    assert front.read("Was ist das Asylrecht für Kinder in Europa?", lang="en").lang == "en"


def test_every_mode_declines_the_same_way(retriever):
    question = "What does the Schengen Borders Code say?"
    extractive = ExtractiveAnswerer(retriever, STRICT).answer(question)
    generative = LLMAnswerer(retriever, NeverCalled(), LLMSettings(), STRICT).answer(question)
    assert not extractive.answered and not generative.answered
    assert extractive.text == generative.text and extractive.see_also == generative.see_also
    assert (extractive.mode, generative.mode) == ("extractive", "llm")
    unsupported = [
        ExtractiveAnswerer(retriever).answer("¿Qué dice el Pacto sobre los niños migrantes?"),
        LLMAnswerer(retriever, NeverCalled()).answer("¿Qué dice el Pacto sobre los niños migrantes?"),
    ]
    assert {a.text for a in unsupported} == {UNSUPPORTED_LANGUAGE}


def test_the_extractive_mode_streams_like_the_generative_one(retriever):
    answerer = ExtractiveAnswerer(retriever, AnswerSettings(model=fixed_model(0.05)))
    draft = answerer.prepare("Everyone has the right to seek asylum from persecution?")
    streamed = "".join(answerer.stream(draft))
    final = answerer.finish(draft)
    assert final.answered and streamed == final.text and final.citations


def test_the_factory_builds_each_mode_and_refuses_others(retriever):
    calls = []
    assert MODES == ("extractive", "llm")
    assert isinstance(make_answerer("extractive", retriever, chat_model=lambda: calls.append(1)), ExtractiveAnswerer)
    assert calls == []  # the generative mode's client is made only for that mode
    llm = make_answerer("llm", retriever, llm_settings=LLMSettings(model="m"), chat_model=lambda: calls.append(1) or "client")
    assert isinstance(llm, LLMAnswerer) and llm.model == "client" and llm.settings.model == "m" and calls == [1]
    assert make_answerer("extractive", retriever).unreachable == ()
    # The careful mode reaches the model at the generative mode's endpoint, in either mode.
    careful = make_answerer("extractive", retriever, llm_settings=LLMSettings(base_url="http://127.0.0.1:9/v1"), careful=True)
    assert careful.settings.judge.base_url == "http://127.0.0.1:9/v1" and careful.unreachable == (JudgeUnavailable,)
    assert JudgeUnavailable in make_answerer("llm", retriever, llm_settings=LLMSettings(), chat_model=lambda: "c", careful=True).unreachable
    with pytest.raises(ValueError, match="use extractive or llm"):
        make_answerer("abstractive", retriever)


def test_one_filter_check_for_every_caller():
    indexed = {d.id: d for d in DOCS}
    catalogued = {
        **indexed,
        "gcm-fr": Document(id="gcm-fr", title="Pacte", lang="fr", family="gcm", path="gcm-fr.pdf"),
        "x": Document(id="x", title="X", lang="en", family="absent-family", path="x.pdf"),
    }
    check(Filters(("udhr-en",), ("gcm",)), indexed)
    with pytest.raises(UnknownFilter) as unknown:
        check(Filters(("nope",)), indexed, catalogued)
    assert unknown.value.code == "unknown_document" and "udhr-en" in unknown.value.known
    with pytest.raises(UnknownFilter) as unindexed:
        check(Filters(("gcm-fr",)), indexed, catalogued)
    assert unindexed.value.code == "unindexed_document" and unindexed.value.path == "gcm-fr.pdf"
    # A family is known from the catalogue when there is one, from the index otherwise.
    check(Filters(families=("absent-family",)), indexed, catalogued)
    with pytest.raises(UnknownFilter, match="famil") as family:
        check(Filters(families=("absent-family",)), indexed)
    assert family.value.code == "unknown_family"


def test_a_weak_language_clue_is_not_trusted():
    assert language.confident("Quelles garanties le Pacte mondial prévoit-il pour les enfants migrants ?") == "fr"
    assert language.confident("Article 33") is None
    assert language.answer_language("Article 33") in ("fr", "en")
    assert language.answer_language("¿Qué dice el Pacto sobre los niños migrantes?") == "en"
    assert language.answer_language("anything", "fr") == "fr"


def test_dates_in_a_refusal_are_written_as_readers_write_them():
    from policyqa.answer.front import why_declined, written_date
    from policyqa.retrieve.understand import Understanding

    assert written_date("2025-12-18", "fr") == "18 décembre 2025" and written_date("2025-12-18", "en") == "18 December 2025"
    assert written_date("", "fr") == ""
    later = Understanding(frozenset(), frozenset({2026}), (), (), None, 2026, "2025-12-18")
    assert why_declined(later, "fr") == [
        "La question porte sur 2026, après le plus récent des textes du corpus (adopté le 18 décembre 2025) : "
        "le corpus ne peut pas en rendre compte."
    ]
