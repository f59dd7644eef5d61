"""Which language a question is in: French and English answered, others recognised as such,
whatever script they are written in."""

from __future__ import annotations

import pytest

from policyqa.text.language import detect, identify


@pytest.mark.parametrize(
    "question, lang",
    [
        ("Quels droits pour les enfants migrants ?", "fr"),
        ("What rights do migrant children have?", "en"),
        ("Que dit l’article 33 ?", "fr"),
        ("¿Qué derechos tienen los migrantes?", "es"),
        ("ما هي حقوق المهاجرين؟", "ar"),
        # Detection chooses among a few languages; a question in another script must not come
        # out as the closest of them (a Chinese question was answered as English).
        ("移民儿童的拘留问题是什么？", "zh"),
        ("子どもの入管収容について教えてください", "ja"),
        ("이주 아동의 구금에 대해", "ko"),
        ("Какие права у мигрантов?", "und"),
    ],
)
def test_the_question_language(question, lang):
    assert detect(question) == lang
    assert identify(question).supported is (lang in ("fr", "en"))


def test_a_question_without_letters_has_no_language_and_a_latin_one_with_a_foreign_word_keeps_its_own():
    assert identify("1951, 33 (2)") == identify("1951, 33 (2)") and detect("1951, 33 (2)") == ""
    assert detect("Que dit l’article 3 sur 移民 ?") == "fr"


def test_an_unsupported_language_gets_the_bilingual_reply(tmp_path):
    from index_fixtures import DOCS, PASSAGES

    from policyqa.answer.extractive import ExtractiveAnswerer
    from policyqa.index.embedder import HashingEmbedder
    from policyqa.index.store import build_index, load_index
    from policyqa.retrieve.retriever import Retriever

    embedder = HashingEmbedder()
    build_index(PASSAGES, DOCS, embedder.embed_documents, embedder.name, embedder.fingerprint, embedder.dimension, tmp_path)
    retriever = Retriever(load_index(tmp_path), lambda q: embedder.embed_queries([q])[0])
    answer = ExtractiveAnswerer(retriever).answer("移民儿童的拘留问题是什么？")
    assert not answer.answered and answer.lang == "zh" and "français" in answer.text and "English" in answer.text
