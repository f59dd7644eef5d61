"""The quality gate: the whole default corpus, the real model, the gold questions, and the
floors in eval/thresholds.toml. A change that makes retrieval worse fails here."""

from __future__ import annotations

import pytest

from conftest import REPO, require_shared_corpus
from policyqa import harness
from policyqa.settings import Settings


def test_floors_are_read_and_checked():
    floors = harness.load_floors(REPO / "eval" / "thresholds.toml")
    assert floors[("hybrid", "overall")]["recall@5"] > 0.9
    report = {"systems": {"hybrid": {"slices": {"overall": {"recall@5": 0.5, "recall@10": 0.99, "mrr@10": 0.9}}}}}
    failures = harness.check_floors(report, {("hybrid", "overall"): {"recall@5": 0.9, "mrr@10": 0.8},
                                             ("hybrid", "cross-lingual"): {"recall@5": 0.9}})
    assert failures == ["hybrid / overall / recall@5: 0.5 < floor 0.9",
                        "hybrid / cross-lingual: not measured (system not run or slice empty)"]


@pytest.mark.model
def test_retrieval_meets_the_floors_on_the_gold_questions(tmp_path, monkeypatch, real_embedder):
    from policyqa import pipeline

    require_shared_corpus()
    monkeypatch.setenv("POLICYQA_INDEX_DIR", str(tmp_path / "index"))
    settings = Settings.from_env()
    pipeline.build(settings, real_embedder)  # embeddings come from the user's cache after the first run
    index = pipeline.open_index(settings, real_embedder)
    report = harness.run(settings, real_embedder, index, [REPO / "eval" / "questions" / "gold.jsonl"], ("hybrid",))
    harness.save(report, tmp_path / "report")
    failures = harness.check_floors(report, harness.load_floors(REPO / "eval" / "thresholds.toml"))
    assert not failures, "\n".join(failures)
