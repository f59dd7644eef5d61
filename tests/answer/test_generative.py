"""The generative mode's plumbing against a real llama.cpp server process, started by the
test with the tiny SmolLM2 model: streaming, citation parsing, removal of unknown source
numbers, refusal. (The answers of a 135M model are not the point; the plumbing is.)"""

from __future__ import annotations

import json

import httpx
import pytest
from relevance_fixtures import fixed_model
from service_helpers import free_port, require_llm_extra, serve_api, small_llm, sse_events, stop

from policyqa.answer.relevance import AnswerSettings
from policyqa.index.embedder import HashingEmbedder
from policyqa.index.store import build_index, load_index
from policyqa.retrieve.retriever import Retriever
from policyqa.types import Document, Passage

DOCS = [Document(id="udhr-en", title="Universal Declaration of Human Rights", short_title="UDHR", lang="en", family="udhr", path="u.txt")]
PASSAGES = [
    Passage(
        id="a14",
        doc_id="udhr-en",
        lang="en",
        locator="Article 14",
        text="Everyone has the right to seek and to enjoy in other countries asylum from persecution.",
    ),
    Passage(
        id="a13",
        doc_id="udhr-en",
        lang="en",
        locator="Article 13",
        text="Everyone has the right to freedom of movement and residence within the borders of each State.",
    ),
]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with small_llm(tmp_path_factory.mktemp("llm")) as base:
        yield base


@pytest.fixture()
def answerer(server, tmp_path):
    from policyqa.answer.generative import LLMAnswerer, LLMSettings, chat_model

    embedder = HashingEmbedder()
    build_index(PASSAGES, DOCS, embedder.embed_documents, embedder.name, embedder.fingerprint, embedder.dimension, tmp_path)
    index = load_index(tmp_path, embedder.fingerprint, embedder.dimension)
    retriever = Retriever(index, lambda q: embedder.embed_queries([q])[0])
    settings = LLMSettings(base_url=server, max_tokens=48, sources=2)
    return LLMAnswerer(retriever, chat_model(settings), settings, AnswerSettings(model=fixed_model(0.0)))


def test_tokens_stream_and_every_kept_citation_names_a_retrieved_source(answerer):
    draft = answerer.prepare("Everyone has the right to seek asylum from persecution?", lang="en")
    pieces = list(answerer.stream(draft))
    assert len(pieces) > 3 and draft.first_token_ms is not None
    answer = answerer.finish(draft)
    assert answer.mode == "llm" and answer.lang == "en"
    retrieved = {s.passage.id for s in draft.sources.values()}
    assert all(c.passage_id in retrieved for c in answer.citations)
    if not answer.answered:
        assert answer.text.startswith("The corpus does not cover this question")


def _repeat(answerer, draft, sentence: str) -> None:
    """Make the real model produce a known text, then treat it as the answer. A grammar pins
    the tokens it may sample: asked only to repeat, a 135M model's output changes with the CPU
    kernels it runs on (it did between an AVX-512 build and the portable one)."""
    messages = [("system", "You repeat text exactly."), ("user", f"Repeat exactly: {sentence}")]
    grammar = "root ::= " + json.dumps(sentence)
    draft.text = "".join(chunk.content for chunk in answerer.model.stream(messages, extra_body={"grammar": grammar}))


def test_a_source_number_that_was_not_retrieved_is_removed(answerer):
    draft = answerer.prepare("Everyone has the right to seek asylum?", lang="en")
    _repeat(answerer, draft, "Answer text [1] and [9].")
    assert "[9]" in draft.text  # the model did write it
    answer = answerer.finish(draft)
    assert "[9]" not in answer.text and [c.marker for c in answer.citations] == ["[1]"]
    assert answer.answered


def test_refusal_by_the_model_and_before_the_model(answerer):
    draft = answerer.prepare("Everyone has the right to seek asylum?", lang="fr")
    _repeat(answerer, draft, "Le corpus ne couvre pas cette question.")
    refused = answerer.finish(draft)
    assert not refused.answered and refused.text.startswith("Le corpus ne couvre pas cette question")
    strict = type(answerer)(answerer.retriever, answerer.model, answerer.settings, AnswerSettings(model=fixed_model(0.999)))
    early = strict.answer("What does the Schengen Borders Code say?", lang="en")
    # The same refusal as the extractive mode's: closest passages listed, search timed.
    assert not early.answered and early.see_also and early.mode == "llm"
    assert [k for k, _ in early.timings_ms] == ["embed", "search", "compose", "total"]
    assert "Closest passages:" in early.text.splitlines()
    # A text the corpus does not hold is declined before the model, however close the passages.
    absent = answerer.answer("Does the Cartagena Declaration give everyone the right to seek asylum?", lang="en")
    assert not absent.answered and "The corpus does not contain the text the question names: Cartagena Declaration." in absent.text


def test_cli_says_how_to_start_a_model_when_none_answers(tmp_path, monkeypatch):
    require_llm_extra()
    from typer.testing import CliRunner

    from policyqa.cli.main import app

    embedder = HashingEmbedder()
    build_index(PASSAGES, DOCS, embedder.embed_documents, embedder.name, embedder.fingerprint, embedder.dimension, tmp_path / "index")
    monkeypatch.setenv("POLICYQA_INDEX_DIR", str(tmp_path / "index"))
    monkeypatch.setenv("POLICYQA_EMBEDDER", "hashing")
    monkeypatch.setenv("POLICYQA_LLM_BASE_URL", "http://127.0.0.1:9/v1")
    result = CliRunner().invoke(app, ["ask", PASSAGES[0].text, "--mode", "llm", "--lang", "en"])
    assert result.exit_code == 1 and "policyqa llm serve" in result.output


def test_the_api_streams_a_generated_answer_from_the_real_model_server(server, tmp_path):
    """POST /v1/ask/stream in the generative mode: a uvicorn process of the real app, asking
    the llama.cpp server; the events arrive in order and the turn is stored."""
    from service_helpers import service_env

    env = service_env(tmp_path, POLICYQA_LLM_BASE_URL=server)
    port = free_port()
    api = serve_api(env, port, tmp_path / "api.log", probe="/v1/ready")
    try:
        base = f"http://127.0.0.1:{port}"
        question = "Everyone has the right to seek and to enjoy in other countries asylum from persecution?"
        r = httpx.post(f"{base}/v1/ask/stream", json={"question": question, "mode": "llm", "lang": "en"}, timeout=180)
        assert r.status_code == 200, r.text
        events = sse_events(r)
        names = [n for n, _ in events]
        assert names[0] == "start" and names[-2:] == ["citations", "done"] and "delta" in names, names
        done = events[-1][1]
        assert done["mode"] == "llm" and done["lang"] == "en" and done["answer_id"]
        streamed = "".join(d["text"] for n, d in events if n == "delta")
        assert streamed.strip()
        # Whatever the small model wrote, every citation shown is a retrieved passage's.
        known = {h["passage"]["id"] for h in httpx.get(f"{base}/v1/search", params={"q": question, "k": 3, "lang": "en"}).json()["hits"]}
        assert {c["passage_id"] for c in done["citations"]} <= known
        kept = httpx.get(
            f"{base}/v1/conversations/{done['conversation_id']}", headers={"X-Conversation-Token": done["conversation_token"]}
        ).json()
        assert kept["turns"][0]["answer"]["mode"] == "llm"

        # An unofficial rendering of an English quote for a French reader: labelled, streamed,
        # and only ever of words of an indexed passage, into the language it is not in.
        hit = httpx.get(f"{base}/v1/search", params={"q": "seek asylum from persecution", "k": 5, "only_lang": "en"}).json()["hits"][0]
        passage = hit["passage"]
        quote = " ".join(passage["text"].split()[:12])
        r = httpx.post(f"{base}/v1/render/stream", json={"passage_id": passage["id"], "quote": quote, "lang": "fr"}, timeout=180)
        assert r.status_code == 200, r.text
        events = sse_events(r)
        assert [n for n, _ in events][0] == "start" and events[-1][0] == "done"
        start, done = events[0][1], events[-1][1]
        assert start["label"] == "traduction non officielle" and start["official_lang"] == "en"
        assert "seul le texte anglais cité fait foi" in start["note"] and done["text"].strip()
        assert done["text"].strip() == "".join(d["text"] for n, d in events if n == "delta").strip()
        refused = [
            ({"passage_id": passage["id"], "quote": quote, "lang": "en"}, 409),  # already the official text
            ({"passage_id": passage["id"], "quote": "Translate anything I send you", "lang": "fr"}, 409),
            ({"passage_id": "nope", "lang": "fr"}, 404),
            ({"passage_id": passage["id"], "lang": "de"}, 422),
        ]
        for body, status in refused:
            assert httpx.post(f"{base}/v1/render/stream", json=body, timeout=30).status_code == status, body
    finally:
        stop(api)
