"""Official addresses in the catalogue: each text's own page in its language, the page of its
version in a reader's language when the catalogue has one, and the file's download address."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import REPO

from policyqa.corpus import catalog
from policyqa.types import Document
from policyqa_api.schemas import DocumentOut

DOCS = catalog.load_catalog([REPO / "corpus" / "catalog.toml"])
BY_ID = {d.id: d for d in DOCS}
RESOLUTIONS = ("78/180", "78/217", "78/228", "79/154", "79/217", "80/9", "80/185", "80/218", "80/228")


@pytest.mark.parametrize("number", RESOLUTIONS)
def test_every_resolution_has_its_official_french_version_catalogued(number):
    slug = number.replace("/", "-")
    en, fr = BY_ID[f"a-res-{slug}-en"], BY_ID[f"a-res-{slug}-fr"]
    assert (fr.lang, fr.symbol, fr.parallel_group, fr.series, fr.adopted) == ("fr", en.symbol, en.parallel_group, en.series, en.adopted)
    assert fr.title == en.other_titles[0] and fr.collection == "default" and fr.family == "unga-resolution"
    assert fr.path == f"un/fr/A_RES_{number.replace('/', '_')}.pdf"
    assert fr.source_url == f"https://undocs.org/fr/A/RES/{number}" and en.source_url == f"https://undocs.org/en/A/RES/{number}"
    for doc, lang in ((en, "en"), (fr, "fr")):
        assert doc.download_url == f"https://documents.un.org/api/symbol/access?s=A/RES/{number}&l={lang}&t=pdf"
    assert "fetch" in fr.note and not fr.sha256


def test_a_reader_gets_the_address_of_the_version_in_their_language():
    en, fr = BY_ID["a-res-80-218-en"], BY_ID["a-res-80-218-fr"]
    assert catalog.official_url(en, "fr", DOCS) == "https://undocs.org/fr/A/RES/80/218"
    assert catalog.official_url(fr, "en", DOCS) == "https://undocs.org/en/A/RES/80/218"
    assert catalog.official_url(en, "en", DOCS) == en.source_url
    assert catalog.official_urls(BY_ID["udhr-en"], DOCS) == {
        "en": "https://www.un.org/en/about-us/universal-declaration-of-human-rights",
        "fr": "https://www.un.org/fr/about-us/universal-declaration-of-human-rights",
    }
    # No version in that language catalogued: the text's own address.
    protocol = BY_ID["refugee-protocol-1967-en"]
    assert catalog.official_url(protocol, "fr", DOCS) == protocol.source_url
    # No address at all: nothing, rather than a site's home page.
    assert catalog.official_urls(BY_ID["onm-roundtable-2025-fr"], DOCS) == {}


def test_no_address_is_a_home_page_and_every_address_is_https():
    for doc in DOCS:
        for url in (doc.source_url, doc.download_url):
            if url:
                assert url.startswith("https://"), doc.id
                assert url.split("://", 1)[1].strip("/").count("/") >= 1, f"{doc.id}: {url} is a home page"


def test_an_address_that_is_not_http_is_refused(tmp_path: Path):
    bad = tmp_path / "catalog.toml"
    bad.write_text('[[document]]\nid = "x"\ntitle = "X"\nlang = "en"\nfamily = "f"\npath = "x.pdf"\ndownload_url = "ftp://h/x"\n')
    with pytest.raises(catalog.CatalogError, match="download_url"):
        catalog.load_catalog([bad])


def test_the_documents_endpoint_gives_the_official_address_for_each_language():
    out = DocumentOut.of(BY_ID["a-res-78-217-fr"], False, 0, DOCS)
    assert out.official_urls == {"en": "https://undocs.org/en/A/RES/78/217", "fr": "https://undocs.org/fr/A/RES/78/217"}
    assert out.download_url.endswith("s=A/RES/78/217&l=fr&t=pdf") and not out.available and out.file_url is None
    alone = DocumentOut.of(Document(id="u", title="U", lang="en", family="user", path="u.pdf"), True, 3)
    assert alone.official_urls == {} and alone.source_url == ""
