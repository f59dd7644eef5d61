"""The quality gate: the whole default corpus, the real model, the gold questions, and the
floors in eval/thresholds.toml. A change that makes retrieval worse fails here."""

from __future__ import annotations

import pytest
from conftest import REPO, require_shared_corpus

from policyqa.evaluation import harness
from policyqa.settings import Settings


def test_floors_are_read_and_checked():
    floors = harness.load_floors(REPO / "eval" / "thresholds.toml")
    assert floors[("hybrid", "overall")]["recall@5"] > 0.9
    report = {"systems": {"hybrid": {"slices": {"overall": {"recall@5": 0.5, "recall@10": 0.99, "mrr@10": 0.9}}}}}
    failures = harness.check_floors(
        report, {("hybrid", "overall"): {"recall@5": 0.9, "mrr@10": 0.8}, ("hybrid", "cross-lingual"): {"recall@5": 0.9}}
    )
    assert failures == [
        "hybrid / overall / recall@5: 0.5 < floor 0.9",
        "hybrid / cross-lingual: not measured (system not run or slice empty)",
    ]


@pytest.fixture(scope="module")
def default_index(tmp_path_factory, real_embedder):
    """The whole default corpus indexed with the real model, once for this module."""
    from policyqa import pipeline

    require_shared_corpus()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("POLICYQA_INDEX_DIR", str(tmp_path_factory.mktemp("gate") / "index"))
        settings = Settings.from_env()
        pipeline.build(settings, real_embedder)  # embeddings come from the user's cache after the first run
        yield settings, pipeline.open_index(settings, real_embedder)


@pytest.mark.model
def test_policyqa_meets_the_floors_and_beats_every_baseline_on_the_gold_questions(tmp_path, default_index, real_embedder):
    import os
    from pathlib import Path

    settings, index = default_index
    report = harness.run(
        settings, real_embedder, index, [REPO / "eval" / "questions" / "gold.jsonl"], harness.SYSTEMS, answer_mode="extractive"
    )
    out = Path(os.environ.get("POLICYQA_REPORT_DIR", tmp_path / "report"))
    as_json, as_md, chart = harness.save(report, out)
    assert chart.stat().st_size > 10_000 and chart.read_bytes()[:4] == b"\x89PNG"
    assert "![policyqa against baselines](retrieval.png)" in as_md.read_text()
    failures = harness.check_floors(report, harness.load_floors(REPO / "eval" / "thresholds.toml"))
    overall = {name: s["slices"]["overall"] for name, s in report["systems"].items()}
    for baseline in ("dense", "bm25", "langchain"):
        for metric in ("recall@5", "mrr@10"):
            if overall["hybrid"][metric] <= overall[baseline][metric]:
                failures.append(f"hybrid {metric} {overall['hybrid'][metric]} does not beat {baseline} {overall[baseline][metric]}")
    assert not failures, "\n".join(failures)


@pytest.mark.model
def test_policyqa_meets_the_floors_on_the_held_out_questions(default_index, real_embedder):
    # Questions written after the weights were chosen: what the gold-set figures are worth.
    settings, index = default_index
    report = harness.run(
        settings, real_embedder, index, [REPO / "eval" / "questions" / "heldout.jsonl"], ("hybrid", "dense"), answer_mode="extractive"
    )
    failures = harness.check_floors(report, harness.load_floors(REPO / "eval" / "thresholds-heldout.toml"))
    overall = {name: s["slices"]["overall"] for name, s in report["systems"].items()}
    if overall["hybrid"]["mrr@10"] <= overall["dense"]["mrr@10"]:
        failures.append(f"hybrid mrr@10 {overall['hybrid']['mrr@10']} does not beat dense {overall['dense']['mrr@10']}")
    assert not failures, "\n".join(failures)


@pytest.mark.model
@pytest.mark.parametrize(
    ("questions", "floors"),
    [
        # Written blind, split off before anything was chosen and never fitted on
        # (eval/questions/README.md): the figures the trustworthiness issue is judged by.
        ("blind-sealed.jsonl", "thresholds-sealed.toml"),
        # Written blind after the first sealed part had been scored, before the careful mode
        # was fitted; scored once (eval/questions/README.md, "A second sealed set").
        ("blind-sealed-2.jsonl", "thresholds-sealed-2.toml"),
    ],
)
def test_policyqa_meets_the_floors_on_the_sealed_blind_questions(default_index, real_embedder, questions, floors):
    settings, index = default_index
    report = harness.run(settings, real_embedder, index, [REPO / "eval" / "questions" / questions], ("hybrid",), answer_mode="extractive")
    failures = harness.check_floors(report, harness.load_floors(REPO / "eval" / floors))
    assert not failures, "\n".join(failures)
