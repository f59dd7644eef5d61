"""Aligning two versions' paragraphs, on texts made here: renumbering, amendments, moves,
paragraphs added and dropped, and the word-level difference."""

from __future__ import annotations

import numpy as np

from policyqa.compare.align import align
from policyqa.compare.provisions import Provision, provisions_of
from policyqa.compare.words import normal, rendered, word_diff
from policyqa.types import Passage

LONG = "Calls upon States to protect effectively the human rights of all migrants regardless of their migration status, in particular"


def _prov(key: str, text: str, position: int) -> Provision:
    kind = "preambular" if key.startswith("pp-") else "operative"
    return Provision(key, key.replace("op-", "op. "), kind, text, 1, 1, (f"{key}-{position}",), position)


def _versions():
    old = [
        _prov("pp-1", "Recalling all its previous resolutions on the protection of migrants and the Human Rights Council's", 0),
        _prov("pp-2", "Concerned about the pandemic and its effects on migrant workers in essential sectors of the economy", 1),
        _prov("op-1", LONG + " women and children;", 2),
        _prov("op-2", "Requests the Secretary-General to report to the General Assembly at its eightieth session on this resolution;", 3),
        _prov("op-3", "Encourages States to establish firewalls between immigration enforcement and public services for all migrants;", 4),
    ]
    new = [
        _prov("pp-1", "Recalling all its previous resolutions on the protection of migrants and the Human Rights Council's", 0),
        _prov("op-1", LONG + " women, children and persons with disabilities;", 1),
        _prov("op-2", "Encourages States to establish firewalls between immigration enforcement and public services for all migrants;", 2),
        _prov("op-3", "Urges States to end the detention of children on the basis of their or their parents' migration status;", 3),
        _prov(
            "op-4", "Requests the Secretary-General to report to the General Assembly at its eighty-second session on this resolution;", 4
        ),
    ]
    return old, new


def test_renumbered_amended_added_dropped_and_moved_paragraphs():
    old, new = _versions()
    pairs = align(old, new)
    got = {(p.old.key if p.old else None, p.new.key if p.new else None): p for p in pairs}
    assert got[("pp-1", "pp-1")].status == "unchanged"
    assert got[("op-1", "op-1")].status == "amended"
    assert got[("op-3", "op-2")].status == "unchanged"  # renumbered, same words
    assert got[("op-2", "op-4")].status == "amended" and got[("op-2", "op-4")].moved  # the report paragraph moved to the end
    assert got[(None, "op-3")].status == "added" and got[("pp-2", None)].status == "dropped"
    assert not got[("op-3", "op-2")].moved and not got[("op-1", "op-1")].moved
    # In the new version's order, the dropped preambular paragraph where it stood.
    assert [(p.old.key if p.old else None, p.new.key if p.new else None) for p in pairs][:2] == [("pp-1", "pp-1"), ("pp-2", None)]


def test_a_new_paragraph_on_the_same_subject_is_not_a_successor_unless_its_meaning_stays():
    old = [
        _prov("op-1", "Welcomes the work of the United Nations Network on Migration on missing migrants and humanitarian assistance;", 0)
    ]
    new = [
        _prov(
            "op-1",
            "Takes note with appreciation of the recommendations in the report of the Secretary-General on strengthening "
            "cooperation on missing migrants and providing humanitarian assistance to migrants in distress;",
            0,
        )
    ]
    assert [p.status for p in align(old, new)] == ["dropped", "added"]
    # The same rewording, with embeddings that say the meaning stays: one amended paragraph.
    assert [p.status for p in align(old, new, np.array([[0.95]]))] == ["amended"]
    # Preambular and operative paragraphs never pair, however alike.
    pre = [_prov("pp-1", old[0].text, 0)]
    assert sorted(p.status for p in align(pre, old)) == ["added", "dropped"]


def test_the_word_difference_gives_back_both_texts():
    a = "Calls upon States to protect,\nin particular, women and children;"
    b = "Calls upon States to protect, in particular, women, children and persons with disabilities;"
    pieces = word_diff(a, b)
    assert normal("".join(p.text for p in pieces if p.op != "delete")) == normal(b)
    assert normal("".join(p.text for p in pieces if p.op != "insert")) == normal(a)
    assert rendered(pieces) == (
        "Calls upon States to protect, in particular, [-women-] {+women, children+} and [-children;-] {+persons with disabilities;+}"
    )
    # A line break is not an amendment.
    assert [p.op for p in word_diff("to protect\nwomen", "to  protect women")] == ["equal"]


def test_a_paragraph_split_into_passages_is_one_provision_again():
    lead = "Also reaffirms the duty of States to protect migrants, and therefore:"
    parts = [
        Passage(
            "x1",
            "d",
            "en",
            "op. 5 (a)–(b)",
            f"{lead}\n(a) Calls upon all States;\n(b) Requests States;",
            section_key="op-5",
            page_start=3,
            page_end=3,
        ),
        Passage(
            "x2",
            "d",
            "en",
            "op. 5 (c)–(d)",
            f"{lead}\n(c) Encourages States;\n(d) Urges States;",
            section_key="op-5",
            page_start=3,
            page_end=4,
        ),
        Passage("x3", "d", "en", "op. 6", "Decides to remain seized of the matter.", section_key="op-6", page_start=4, page_end=4),
    ]
    five, six = provisions_of(parts)
    assert five.text == f"{lead}\n(a) Calls upon all States;\n(b) Requests States;\n(c) Encourages States;\n(d) Urges States;"
    assert (five.locator, five.kind, five.page_start, five.page_end, five.passage_ids) == ("op. 5", "operative", 3, 4, ("x1", "x2"))
    assert (six.locator, six.position) == ("op. 6", 1)
