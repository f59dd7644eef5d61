"""Are the development part's evidence lists complete? Pooled relevance judgements.

For every paraphrase family of blind-dev.jsonl, the candidates the extractive answerer weighs
(the top four by its chooser for each phrasing, and every candidate its writer's evidence
marks) were judged by assessors who saw the questions and the passages in random order, but
neither the evidence lists, nor the chooser's order, nor each other's verdicts
(`../questions/blind-prompts/assessor.md`; verdicts in `../questions/blind-dev-judged.jsonl`:
answers, other_text, partial, no).

This script reads the same candidates again and reports:
- how the assessors judged the passages the writers marked as evidence, and the others;
- the share of answerable questions whose chosen passage holds the writer's evidence, and
  the share whose chosen passage holds it or an assessor says it answers.

If the second share were much higher, the evaluation would be penalising right answers the
writers did not list; it is not (eval/README.md, "Pooled judgements").

    cd eval/benchmarks && ../../.venv/bin/python pooled_judgements.py
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from policyqa import pipeline
from policyqa.answer.front import Asked, Front
from policyqa.answer.relevance import AnswerSettings, rank
from policyqa.cli.common import embedder, load_settings
from policyqa.evaluation.questions import load_questions

HERE = Path(__file__).resolve().parent
QUESTIONS = HERE.parent / "questions" / "blind-dev.jsonl"
VERDICTS = HERE.parent / "questions" / "blind-dev-judged.jsonl"


def main() -> None:
    verdicts = {}
    for line in VERDICTS.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        verdicts[(row["family"], row["pid"])] = row["verdict"]
    settings = load_settings()
    front = Front(pipeline.retriever(settings, embedder(settings)), AnswerSettings(), "extractive")
    crossed: Counter = Counter()
    answerable = writer = pooled = unjudged = 0
    for q in load_questions(QUESTIONS):
        asked = front.read(q.question, q.lang)
        if not isinstance(asked, Asked):
            continue
        understood, result, named = front.candidates(asked, AnswerSettings.candidates)
        pool = list(result.hits[: AnswerSettings.candidates])
        for hit in pool:
            verdict = verdicts.get((q.paraphrase_family, hit.passage.id))
            if verdict and q.answerable:
                evidence = any(q.is_relevant(p.text) for p in (hit.passage, *hit.other_versions))
                crossed[("evidence" if evidence else "other", verdict)] += 1
        if not q.answerable or understood.declines or not pool:
            continue
        ranked, _ = rank(pool, asked.question, asked.lang, named, bool(understood.named), front.settings.model)
        chosen = ranked[0].hit
        holds = any(q.is_relevant(p.text) for p in (chosen.passage, *chosen.other_versions))
        verdict = verdicts.get((q.paraphrase_family, chosen.passage.id))
        unjudged += verdict is None
        answerable += 1
        writer += holds
        pooled += holds or verdict == "answers"
    report = {
        "questions": str(QUESTIONS.name),
        "assessor_verdicts_by_writer_label": {f"{k[0]} / {k[1]}": n for k, n in sorted(crossed.items())},
        "answerable_with_candidates": answerable,
        "chosen_holds_writer_evidence": round(writer / answerable, 4),
        "chosen_holds_evidence_or_judged_to_answer": round(pooled / answerable, 4),
        "chosen_not_judged": unjudged,
    }
    print(json.dumps(report, indent=1))
    (HERE.parent / "reports" / "pooled_judgements.json").write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
