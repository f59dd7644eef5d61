"""Highlight accuracy: for every evidence quote of a question set that lies in a PDF, is the
highlight drawn on the original page exactly the quote?

Each quote is placed the way the chat page places a cited quote (the passage that holds it
gives the pages, `policyqa.corpus.highlight.locate` the rectangles); the text PDFium finds
inside the rectangles is then read back and compared with the quote on letters and digits:

- exact: the rectangles hold the quote and nothing else;
- covered: they hold the whole quote, with at most a footnote number or two more;
- partial / not found: the rest, listed in the report.

With --answers, the quotes graded are those the extractive answerer cites for the questions
(what a reader actually opens), placed from the cited passage's pages.

    cd eval/benchmarks && ../../.venv/bin/python highlight.py [--questions ../questions/gold.jsonl] [--answers]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from policyqa.answer.citations import quote_in
from policyqa.corpus import catalog
from policyqa.corpus.highlight import fold, locate
from policyqa.index.store import current_folder
from policyqa.serialise import from_data
from policyqa.settings import Settings
from policyqa.types import Passage

HERE = Path(__file__).resolve().parent
EXTRA = 3  # letters beyond the quote that still count as covering it (footnote numbers)


def holder(quote: str, passages) -> object | None:
    folded = fold(quote.split("…")[0])
    return next((p for p in passages if folded in fold(p.text)), None)


def evidence(files, documents, passages):
    """(question id, document, quote, the passage holding it) for each evidence quote in a PDF."""
    by_path = {d.path: d for d in documents.values()}
    for file in files:
        for line in file.read_text(encoding="utf-8").splitlines():
            question = json.loads(line)
            for item in question.get("evidence", []):
                doc = by_path.get(item["file"])
                if doc is not None and doc.format == "pdf":
                    yield question["id"], doc, item["quote"], holder(item["quote"], [p for p in passages if p.doc_id == doc.id])


def in_text_sources(files, documents, passages) -> dict:
    """The reading view of a text or Markdown source marks a quote in its passage as the chat
    page does: the quote's words in order with any spacing between them. Exact when one
    passage holds it so; the rest are listed."""
    by_path = {d.path: d for d in documents.values()}
    counts, missed = {"exact": 0, "not found": 0}, []
    for file in files:
        for line in file.read_text(encoding="utf-8").splitlines():
            question = json.loads(line)
            for item in question.get("evidence", []):
                doc = by_path.get(item["file"])
                if doc is None or doc.format == "pdf":
                    continue
                own = [p for p in passages if p.doc_id == doc.id]
                if any(quote_in(item["quote"], p) for p in own):
                    counts["exact"] += 1
                else:
                    counts["not found"] += 1
                    missed.append({"question": question["id"], "doc": doc.id, "quote": item["quote"]})
    total = sum(counts.values())
    return {"quotes": total, "counts": counts, "exact_share": round(counts["exact"] / total, 4) if total else None, "not_exact": missed}


def cited(files, settings):
    """The same for each quote the extractive answerer cites from a PDF."""
    from policyqa import pipeline
    from policyqa.answer.factory import make_answerer
    from policyqa.evaluation.questions import load_questions

    retriever = pipeline.retriever(settings, pipeline.make_embedder(settings))
    answerer = make_answerer("extractive", retriever)
    by_id = {p.id: p for p in retriever.index.passages}
    documents = retriever.index.documents
    for file in files:
        for question in load_questions(file):
            answer = answerer.answer(question.question)
            for c in answer.citations:
                doc = documents.get(c.doc_id)
                if doc is not None and doc.format == "pdf":
                    yield question.id, doc, c.quote, by_id.get(c.passage_id)


def grade(quote: str, back: str) -> str:
    want, got = fold(quote.replace("…", " ")), fold(back)
    if got == want:
        return "exact"
    if len(got) - len(want) <= EXTRA and _subsequence(want, got):
        return "covered"
    return "partial"


def _subsequence(small: str, big: str) -> bool:
    letters = iter(big)
    return all(c in letters for c in small)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--questions", type=Path, action="append")
    parser.add_argument("--answers", action="store_true", help="grade the quotes the extractive answers cite")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    args.out = args.out or HERE.parent / "reports" / ("highlight-answers.json" if args.answers else "highlight.json")
    files = args.questions or [HERE.parent / "questions" / "gold.jsonl"]
    settings = Settings()
    lines = (current_folder(settings.index_dir) / "passages.jsonl").read_text(encoding="utf-8").splitlines()
    passages = [from_data(Passage, json.loads(line)) for line in lines if line]
    documents = {d.id: d for d in catalog.load_catalog(settings.catalogs)}
    counts = {"exact": 0, "covered": 0, "partial": 0, "not found": 0}
    rows = []
    seconds = []
    for qid, doc, quote, passage in cited(files, settings) if args.answers else evidence(files, documents, passages):
        path = catalog.locate(doc, settings.corpus_roots)
        if path is None or passage is None or passage.page_start is None:
            counts["not found"] += 1
            rows.append({"question": qid, "doc": doc.id, "quote": quote, "grade": "no passage"})
            continue
        started = time.perf_counter()
        found = locate(path, quote, passage.page_start, passage.page_end)
        seconds.append(time.perf_counter() - started)
        state = grade(quote, found.text) if found.found else "not found"
        counts[state] += 1
        if state != "exact":
            rows.append({"question": qid, "doc": doc.id, "quote": quote, "grade": state, "read": found.text})
    total = sum(counts.values())
    seconds.sort()
    report = {
        "questions": [str(f) for f in files],
        "quotes_in_pdfs": total,
        "counts": counts,
        "exact_share": round(counts["exact"] / total, 4) if total else None,
        "covered_share": round((counts["exact"] + counts["covered"]) / total, 4) if total else None,
        "locate_ms_p50": round(1000 * seconds[len(seconds) // 2], 2) if seconds else None,
        "not_exact": rows,
    }
    if not args.answers:
        report["text_sources"] = in_text_sources(files, documents, passages)
    args.out.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    shown = {k: v for k, v in report.items() if k != "not_exact"}
    if "text_sources" in shown:
        shown["text_sources"] = {k: v for k, v in shown["text_sources"].items() if k != "not_exact"}
    print(json.dumps(shown, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
