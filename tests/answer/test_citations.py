from policyqa.answer.citations import Source, quote_is_verbatim, resolve
from policyqa.types import Document, Passage

P1 = Passage(
    id="p1",
    doc_id="d",
    lang="en",
    locator="Article 3",
    text="(a) “Smuggling of migrants” shall mean the procurement.\n(b) Other text.",
    page_start=2,
)
P2 = Passage(id="p2", doc_id="d", lang="en", locator="Article 5", text="Migrants shall not become liable.")
DOCS = {
    "d": Document(
        id="d",
        title="Protocol against the Smuggling of Migrants",
        short_title="Smuggling Protocol",
        lang="en",
        family="treaty",
        path="p.md",
        symbol="A/RES/55/25",
    )
}


def test_markers_are_resolved_in_order_of_use_and_unknown_ones_removed():
    text = "Selon le Protocole, article 5 : « … » [2]. Voir aussi [7] et [1] ; encore [2]."
    cleaned, cites = resolve(text, {1: Source(P1, "q1"), 2: Source(P2, "q2")}, DOCS)
    assert cleaned == "Selon le Protocole, article 5 : « … » [2]. Voir aussi et [1] ; encore [2]."
    assert [c.marker for c in cites] == ["[2]", "[1]"]
    assert cites[0].passage_id == "p2" and cites[0].title == "Smuggling Protocol" and cites[0].symbol == "A/RES/55/25"
    assert cites[1].pages == "2"


def test_a_quote_is_verbatim_only_when_each_piece_is_in_the_passage():
    _, (cite,) = resolve("x [1]", {1: Source(P1, "(a) “Smuggling of migrants” shall mean … (b) Other text.")}, DOCS)
    assert quote_is_verbatim(cite, P1)
    _, (bad,) = resolve("x [1]", {1: Source(P1, "Smuggling shall never mean")}, DOCS)
    assert not quote_is_verbatim(bad, P1)


def test_streamed_text_never_shows_a_marker_that_names_no_source():
    from policyqa.answer.generative import checked_stream

    chunks = ["Everyone may seek asylum [", "1", "]. Also [", "9] and [2", "][1] and a [bracket] [3"]
    shown = list(checked_stream(iter(chunks), known={1, 2}))
    assert "".join(shown) == "Everyone may seek asylum [1]. Also  and [2][1] and a [bracket] [3"
    assert all("[9" not in piece for piece in shown)
