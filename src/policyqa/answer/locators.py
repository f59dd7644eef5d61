"""A provision's label written for a reader of a given language, from the passage's
structure: « Objectif 13, paragraphe 29 g) et h) » for a French reader, "Objective 13 › para
29 (g)–(h)" for an English one, whatever the language of the document quoted.

`Passage.locator` stays what it is, the document's own label, read by other tools (the
training packs, the comparison, the cases' checks); this module only writes a new one. The
structure comes from `section_key` (language-neutral: "op-5", "annex/para-17", "art-33",
"bullet-11", "preamble"); the locator adds what the key does not hold: the heading trail
before " › " (a GCM objective, a declaration's pillar), the run of sub-items a long
paragraph was cut into ("(g)–(h)", "2.–4.", "D.–F.") and "(part 2 of 3)". A locator whose
shape is not one of these (a national law's "Part 1 › s. 3 — Application") keeps its own
words: a label copied as the document gives it is better than one guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from policyqa.types import Passage

_KEY = re.compile(r"^(?:(?P<scope>[^/]+)/)?(?P<unit>pp|op|para|p|art|bullet)-(?P<number>[0-9]+|[IVXLC]+)$")
_PART = re.compile(r"\s*\(part (\d+) of (\d+)\)$")
# "(a)" in English texts, "a)" in French UN texts (no opening parenthesis), "(2)" or "2." for
# numbered sub-paragraphs, "A." for the sections of an article.
_ITEM = r"\(?[a-z]{1,4}\)|\(\d{1,2}\)|\d{1,2}\.|[A-Z]\."
_ITEMS = re.compile(rf"^(?P<first>{_ITEM})(?:–(?P<last>{_ITEM}))?$")
_OBJECTIVE = re.compile(r"^(?:Objective|Objectif) (\d+)$")
_PILLAR = re.compile(r"^(?:Pillar|Pilier) ([IVX]+)\b")
_ROMAN = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100}


@dataclass(frozen=True)
class Reference:
    """Where a passage stands in its document, in no language."""

    unit: str  # preamble | pp (preambular) | op (operative) | para | art | bullet
    number: str = ""  # "29", "I"
    scope: str = ""  # "" | res | annex | schedule | final-act | another part's key ("annex:-specimen-travel-document")
    scope_name: str = ""  # that other part's name, as the document writes it
    items: tuple[str, ...] = ()  # the first and last sub-item labels of a run: ("(g)", "(h)"), or one
    part: tuple[int, int] | None = None  # (2, 3): the second of three pieces of a long paragraph
    heading: str = ""  # the heading trail before " › ", in the document's language
    lang: str = "en"  # the document's language, which the heading is written in

    @property
    def objective(self) -> int | None:
        """The GCM objective the heading trail opens with ("Objective 13", « Objectif 13 »)."""
        found = _OBJECTIVE.match(self.heading.split(" › ")[0])
        return int(found.group(1)) if found else None


def structure(p: Passage) -> Reference | None:
    """Where a passage stands, for the tools that act on structure (ranking, roles, quizzes,
    comparison) rather than display, so that they read a French locator as an English one."""
    return reference(p.section_key, p.locator, p.lang)


def reference(key: str, locator: str, lang: str) -> Reference | None:
    """A place in a document written in `lang`, read from its section key and locator (a
    passage's, or a compared provision's); None for a shape not known here."""
    part = None
    if cut := _PART.search(locator):
        part = (int(cut.group(1)), int(cut.group(2)))
        locator = locator[: cut.start()]
    heading, _, tail = locator.rpartition(" › ")
    if key == "preamble":
        return Reference("preamble", part=part, heading=heading, lang=lang)
    found = _KEY.match(key)
    if found is None:
        return None
    number = found.group("number")
    words = tail.split()
    items: tuple[str, ...] = ()
    if words and not _is_number(words[-1], number):
        run = _ITEMS.match(words[-1])
        if run is None:
            return None
        items = tuple(x for x in (run.group("first"), run.group("last")) if x)
        words = words[:-1]
    if not words or not _is_number(words[-1], number):
        return None  # the locator does not end with the key's number: not a shape known here
    scope = found.group("scope") or ""
    scope_name = ""
    if scope and scope not in _SCOPES:
        # A part the key names by its heading: its name is what stands before ", para".
        scope_name = " ".join(words[:-1]).rsplit(",", 1)[0]
    return Reference(found.group("unit"), number, scope, scope_name, items, part, heading, lang)


def _is_number(word: str, number: str) -> bool:
    return word == number or (word == "premier" and number in ("1", "I"))


def label(p: Passage, lang: str) -> str:
    """The passage's locator written for a reader of `lang` ("fr" or "en")."""
    return label_of(p.section_key, p.locator, p.lang, lang)


def section_label(p: Passage, lang: str) -> str:
    """The label of the whole section a passage belongs to, without its run of sub-items or its
    part: a reading view shows a long paragraph whole, under one heading."""
    ref = structure(p)
    if ref is None:
        return p.locator
    whole = replace(ref, items=(), part=None)
    return french(whole) if lang == "fr" else english(whole)


def label_of(key: str, locator: str, doc_lang: str, lang: str) -> str:
    """A locator of a document in `doc_lang` written for a reader of `lang`; its own words
    when its shape is not known here."""
    ref = reference(key, locator, doc_lang)
    if ref is None:
        return locator
    return french(ref) if lang == "fr" else english(ref)


# --- English: the labels the corpus has always given, but "operative para 5" for "op. 5" ----

_EN_SCOPES = {"res": "resolution", "annex": "Annex", "schedule": "Schedule", "final-act": "Final Act"}
_SCOPES = set(_EN_SCOPES)


def english(ref: Reference) -> str:
    items = f" {'–'.join(_en_label(x) for x in ref.items)}" if ref.items else ""
    unit = {
        "preamble": "Preamble",
        "pp": f"preambular para {ref.number}",
        # "op." is the Secretariat's shorthand; the magistrates and delegates who read these
        # answers say "operative paragraph", as the preambular ones already read in full.
        "op": f"operative para {ref.number}",
        "art": f"Article {ref.number}",
        "bullet": f"bullet {ref.number}",
    }.get(ref.unit, f"para {ref.number}")
    text = f"{unit}{items}"
    scope = ref.scope_name or _EN_SCOPES.get(ref.scope, "")
    if scope:
        text = f"{scope}, {text}"
    if ref.part:
        text += f" (part {ref.part[0]} of {ref.part[1]})"
    heading = ref.heading if ref.lang == "en" else _structural_heading(ref.heading, "en")
    return f"{heading} › {text}" if heading else text


def _en_label(item: str) -> str:
    """A French text's "a)" is "(a)" to an English reader."""
    return f"({item}" if item.endswith(")") and not item.startswith("(") else item


# --- French, as a French UN editor or a French legal citation writes it ---------------------

# The Refugee Convention's Schedule is headed « Annexe » in its French text; an annex is one.
_FR_SCOPES = {"res": "résolution", "annex": "annexe", "schedule": "annexe", "final-act": "Acte final"}


def french(ref: Reference) -> str:
    n = ref.number
    if ref.unit == "preamble":
        text = "préambule"
    elif ref.unit == "pp":
        # A UN resolution's unnumbered preambular paragraphs are « alinéas » of its preamble,
        # as the French resolutions and the Secretariat's French editing manual cite them.
        text = f"alinéa {n}{_fr_items(ref.items)} du préambule"
    elif ref.unit == "op":
        # The numbered paragraphs are the resolution's « dispositif »; the sub-items follow
        # the number directly (« paragraphe 5 a) »), as French UN texts cite them.
        text = f"paragraphe {n}{_fr_items(ref.items)} du dispositif"
    elif ref.unit == "art":
        # French legal style: « article premier », never « article 1 »; an article's numbered
        # sub-paragraphs are « paragraphes », its lettered ones « alinéas », and the Refugee
        # Convention's A. to F. of article 1 are its « sections ».
        text = f"article {'premier' if n in ('1', 'I') else n}{_fr_article_items(ref.items)}"
    elif ref.unit == "bullet":
        # A bullet of a declaration or fact sheet is a « point » (numbered across the text).
        text = f"point {n}"
    else:
        text = f"paragraphe {n}{_fr_items(ref.items)}"
    # A part named by its own heading (the Refugee Convention's "Annex: Specimen Travel
    # Document") keeps the document's words: a name, not a structure, and rarely cited.
    scope = ref.scope_name or _FR_SCOPES.get(ref.scope, "")
    if scope:
        text = f"{scope}, {text}"
    if ref.part:
        # A long paragraph is cut into pieces to be cited; the piece is named in words.
        text += f", partie {ref.part[0]} sur {ref.part[1]}"
    heading = ref.heading if ref.lang == "fr" else _structural_heading(ref.heading, "fr")
    return f"{heading}, {text}" if heading else text


def _fr_items(items: tuple[str, ...]) -> str:
    """ " g) et h)", " a) à c)", " g)"; numbered sub-items of a paragraph are its « points »."""
    if not items:
        return ""
    labels = [_fr_label(x) for x in items]
    if items[0][0].isdigit():
        return f", {'points' if len(items) > 1 else 'point'} {_fr_run(items, labels)}"
    return f" {_fr_run(items, labels)}"


def _fr_article_items(items: tuple[str, ...]) -> str:
    if not items:
        return ""
    first = items[0].strip("().")
    noun = "paragraphe" if first.isdigit() else "section" if first.isupper() else "alinéa"
    labels = [x.strip("().") if noun != "alinéa" else _fr_label(x) for x in items]
    return f", {noun}{'s' if len(items) > 1 else ''} {_fr_run(items, labels)}"


def _fr_label(item: str) -> str:
    """ "(a)" → "a)", French style: no opening parenthesis; "1." → "1", "(2)" → "2"."""
    bare = item.strip("().")
    return bare if bare.isdigit() or bare.isupper() else f"{bare})"


def _fr_run(items: tuple[str, ...], labels: list[str]) -> str:
    """Two sub-items that follow each other are joined by « et », a longer run by « à »."""
    if len(labels) == 1:
        return labels[0]
    return f"{labels[0]} {'et' if _follows(items[0], items[1]) else 'à'} {labels[1]}"


def _follows(first: str, last: str) -> bool:
    a, b = first.strip("()."), last.strip("().")
    if a.isdigit() and b.isdigit():
        return int(b) == int(a) + 1
    if len(a) == 1 and len(b) == 1:
        return ord(b) == ord(a) + 1
    if set(a + b) <= set(_ROMAN):
        return _roman(b) == _roman(a) + 1
    return False


def _roman(numeral: str) -> int:
    values = [_ROMAN[c] for c in numeral]
    return sum(-v if i + 1 < len(values) and v < values[i + 1] else v for i, v in enumerate(values))


def _structural_heading(heading: str, lang: str) -> str:
    """A heading in the other language than the reader's: the GCM's objectives and a
    fact sheet's pillars are numbered parts of the text, named in the reader's words
    (« Objectif 13 », "Pillar II"); any other heading is left out rather than shown in a
    language the reader did not ask for (paragraphs and points are numbered across the
    whole text, so the number alone still finds the provision)."""
    if found := _OBJECTIVE.match(heading):
        return f"{'Objectif' if lang == 'fr' else 'Objective'} {found.group(1)}"
    if found := _PILLAR.match(heading):
        return f"{'Pilier' if lang == 'fr' else 'Pillar'} {found.group(1)}"
    return ""
