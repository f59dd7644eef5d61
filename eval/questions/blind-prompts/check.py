#!/usr/bin/env python3
"""Check a question file: format, families of three, and that every quote is verbatim in its file.

Usage: python3 /work/blind/check.py /work/blind/out/X.jsonl
"""
import json, re, sys, unicodedata
from pathlib import Path
from collections import Counter

CORPUS = Path("/work/shared/corpus")
TEXTS = Path("/work/blind/texts")
STRAIGHT = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})

def norm(t):
    return " ".join(unicodedata.normalize("NFKC", t).translate(STRAIGHT).casefold().split())

def source(file):
    p = CORPUS / file
    if p.suffix == ".pdf":
        t = (TEXTS / (p.stem + ".txt")).read_text()
    else:
        t = p.read_text()
        if p.suffix == ".xml":
            t = re.sub(r"<[^>]+>", " ", t)
            t = t.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&apos;", "'")
    return norm(t)

cache = {}
bad = 0
fams = Counter()
rows = [json.loads(l) for l in Path(sys.argv[1]).read_text().splitlines() if l.strip()]
ids = Counter(r["id"] for r in rows)
for r in rows:
    where = r.get("id")
    for k in ("id", "lang", "question", "answerable", "family"):
        if k not in r:
            print(f"{where}: missing {k}"); bad += 1
    if r.get("lang") not in ("en", "fr"):
        print(f"{where}: lang must be en or fr"); bad += 1
    if ids[r["id"]] > 1:
        print(f"{where}: duplicate id"); bad += 1
    fams[r.get("family")] += 1
    ev = r.get("evidence") or []
    if r.get("answerable") and not ev:
        print(f"{where}: answerable but no evidence"); bad += 1
    if not r.get("answerable") and ev:
        print(f"{where}: unanswerable must have no evidence"); bad += 1
    for e in ev:
        q = e.get("quote", "")
        if not 40 <= len(q) <= 160:
            print(f"{where}: quote length {len(q)} outside 40-160: {q[:60]!r}"); bad += 1
        f = e.get("file", "")
        if f not in cache:
            try:
                cache[f] = source(f)
            except OSError:
                print(f"{where}: no such file {f!r}"); bad += 1; cache[f] = ""
        if norm(q) not in cache[f]:
            print(f"{where}: quote not found verbatim in {f}: {q!r}"); bad += 1
for f, n in fams.items():
    if n != 3:
        print(f"family {f}: {n} questions (want 3)"); bad += 1
langs = Counter(r.get("lang") for r in rows)
print(f"{len(rows)} questions, {len(fams)} families, langs {dict(langs)}, problems: {bad}")
sys.exit(1 if bad else 0)
