"""Names a reader sees, in the reader's language: a document's name (« le Pacte mondial »,
« la résolution A/RES/78/217 ») and a family of documents ("UN General Assembly
resolutions", « Résolutions de l’Assemblée générale des Nations unies »)."""

from __future__ import annotations

from collections.abc import Mapping

from policyqa.types import Document

# The French name of an English-only instrument the catalogue gives no French version or
# French title (`other_titles`) for: its official French text's, as a French reader cites it.
# The catalogue's own fields win; this only keeps a French answer from naming a treaty in
# English until the catalogue has it.
_FRENCH_NAMES = {"refugee-protocol-1967": "Protocole de 1967 relatif au statut des réfugiés"}


def document_name(doc: Document | None, lang: str, catalogue: Mapping[str, Document] | None = None, fallback: str = "") -> str:
    """The document's name for a reader of `lang`, without an article: a General Assembly
    resolution named by its symbol, which no language changes, called a « résolution » in French
    (the English answers have always named it by the bare symbol); else its short title
    when it is written in that language; else the short title of its version in that
    language when the catalogue lists one, held or not (« Pacte mondial » for the GCM), its
    official title in that language, and last its own short title."""
    if doc is None:
        return fallback
    own = doc.short_title or doc.title
    if lang == "fr" and doc.symbol.startswith("A/RES/") and own == doc.symbol:
        return f"résolution {doc.symbol}"
    if doc.lang == lang or lang not in ("fr", "en"):
        return own
    for other in (catalogue or {}).values():
        if doc.parallel_group and other.parallel_group == doc.parallel_group and other.lang == lang:
            return other.short_title or other.title
    if doc.other_titles:
        return doc.other_titles[0]
    if lang == "fr" and doc.parallel_group in _FRENCH_NAMES:
        return _FRENCH_NAMES[doc.parallel_group]
    return own


# The gender and number of the head noun decide the article a French name takes in running
# text (« Selon le Pacte mondial », « Selon la DUDH »); acronyms are read by what they stand for.
_ARTICLES = {
    "le": {"pacte", "protocole", "processus", "plan", "règlement", "ripr", "code", "traité", "statut", "acte", "accord"},
    "la": {"convention", "déclaration", "résolution", "loi", "table", "dudh", "lipr", "charte", "directive"},
    "les": {"principes", "règles", "directives", "lignes"},
}


def with_article(name: str, lang: str) -> str:
    """« le Pacte mondial », « l’Acte final »; a name whose head noun is not known here, a
    symbol or any English name is left bare, as an English sentence names it."""
    if lang != "fr" or not name:
        return name
    head = name.split()[0].strip(",:").lower()
    for article, nouns in _ARTICLES.items():
        if head in nouns:
            if article != "les" and head[0] in "aeiouyéèêh":
                return f"l’{name}"
            return f"{article} {name}"
    return name


# Each family of the catalogue (corpus/catalog.toml), named for a person choosing what to
# search: the chat page's filters and GET /v1/documents show these, never the keys.
FAMILY_LABELS: dict[str, dict[str, str]] = {
    "gcm": {"en": "Global Compact for Migration", "fr": "Pacte mondial sur les migrations"},
    "unga-resolution": {"en": "UN General Assembly resolutions", "fr": "Résolutions de l’Assemblée générale des Nations unies"},
    "treaty": {"en": "Treaties", "fr": "Traités"},
    "udhr": {"en": "Universal Declaration of Human Rights", "fr": "Déclaration universelle des droits de l’homme"},
    "declaration": {"en": "Political declarations", "fr": "Déclarations politiques"},
    "rabat-process": {"en": "Rabat Process", "fr": "Processus de Rabat"},
    "guidelines": {"en": "Principles and guidelines", "fr": "Principes et lignes directrices"},
    # Laws, regulations and rules of procedure are kinds of text (Document.kind) within it.
    "national-law": {"en": "National legislation", "fr": "Législation nationale"},
    # What `policyqa corpus add` files a user's own document under unless told otherwise.
    "user": {"en": "Your documents", "fr": "Vos documents"},
}


def family_label(family: str) -> dict[str, str]:
    """The family's name in English and French; a family added to the catalogue without a
    name here is shown by its key, made readable, rather than left out."""
    if family in FAMILY_LABELS:
        return dict(FAMILY_LABELS[family])
    plain = family.replace("-", " ").replace("_", " ").strip().capitalize() or family
    return {"en": plain, "fr": plain}
