"""How the training material names a provision and its document for its reader, as the
answers do: the provision's label (answer/locators.py: « Objectif 13, paragraphe 29 g) et h) »,
« paragraphe 5 du dispositif »), the document's name (answer/names.py: « le Pacte mondial »)
and the note after a quote in another language (answer/citations.py). A magistrate who
prepared a session with the chat page then finds each provision under the same words in the
pack, the quiz, the case exercises and the session record.

The material's JSON keeps `locator` and the document's own title, which other tools match on;
only what a reader sees is written here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from policyqa.answer.citations import other_language_note
from policyqa.answer.locators import label, label_of
from policyqa.answer.names import document_name, with_article
from policyqa.training.wording import tie
from policyqa.types import Citation, Document, Passage

# « renvoie à le Protocole » is not French: « à le » is « au », « à les » is « aux ».
_AFTER_A = (("le ", "au "), ("les ", "aux "))
_OBJECTIVE = re.compile(r"Objective (\d+)")


def capital(text: str) -> str:
    return text[:1].upper() + text[1:]


@dataclass(frozen=True)
class Naming:
    lang: str  # the reader's
    # The index's documents: whether the corpus holds a quoted text in the reader's language
    # decides the note after the quote, as in the answers.
    held: Mapping[str, Document] = field(default_factory=dict)
    # Every catalogued text, held or not: a document is named by its version in the reader's
    # language when the catalogue lists one (« Pacte mondial » for the GCM).
    catalogue: Mapping[str, Document] = field(default_factory=dict)

    def name(self, doc: Document | None, fallback: str = "") -> str:
        return document_name(doc, self.lang, self.catalogue or self.held, fallback)

    def in_text(self, doc: Document | None, fallback: str = "") -> str:
        """The name as a French sentence uses it, with its article (« le Pacte mondial »); an
        English name stays bare, as the English templates have always written it."""
        return with_article(self.name(doc, fallback), self.lang)

    def to(self, doc: Document | None, fallback: str = "") -> str:
        """The name after « à » in French, the preposition included (« au Pacte mondial », « à la
        Convention de 1951 »); in English the bare name, the template saying "refers to"."""
        text = self.in_text(doc, fallback)
        if self.lang != "fr":
            return text
        for article, merged in _AFTER_A:
            if text.startswith(article):
                return merged + text[len(article) :]
        return f"à {text}"

    def label(self, p: Passage) -> str:
        return label(p, self.lang)

    def article(self, doc: Document, article: str) -> str:
        """A treaty's article as a quiz choice (« Article premier »), from "Article 1"."""
        number = article.split()[-1]
        return capital(label_of(f"art-{'1' if number == 'premier' else number}", article, doc.lang, self.lang))

    def objective(self, heading: str) -> str:
        """A GCM objective's heading as a quiz choice for a French reader: « Objectif 10 : » (as
        the answers' labels number it) before the document's own title, quoted, not translated."""
        number, _, title = heading.partition(":")
        found = _OBJECTIVE.fullmatch(number.strip())
        if self.lang != "fr" or found is None or not title.strip():
            return heading
        return tie(f"Objectif {found.group(1)} : {title.strip()}", self.lang)

    def note(self, p: Passage) -> str:
        """After a quote in another language than the reader's; empty otherwise."""
        return tie(other_language_note(p, self.lang, dict(self.held)).strip(), self.lang)

    def cited_note(self, c: Citation) -> str:
        """The same note for a citation whose passage is not at hand (its language and document
        are all the note needs)."""
        return self.note(Passage(id=c.passage_id, doc_id=c.doc_id, lang=c.lang, locator=c.locator, text=c.quote))

    def title(self, doc: Document) -> str:
        """The full title a heading gives, in the reader's language when the catalogue has it:
        its version's title, else its official title in that language (`other_titles`), else
        the name names.py gives; the document's own title when there is none of these."""
        if doc.lang == self.lang:
            return doc.title
        for other in self.catalogue.values():
            if doc.parallel_group and other.parallel_group == doc.parallel_group and other.lang == self.lang:
                return other.title
        if doc.other_titles:
            return doc.other_titles[0]
        name = self.name(doc)
        return name if name != (doc.short_title or doc.title) else doc.title

    def source(self, doc: Document | None, p: Passage, passage_id: str = "") -> str:
        return source_line(self.name(doc, p.doc_id), doc.symbol if doc else "", self.label(p), p.pages, passage_id)


def source_line(name: str, symbol: str, provision: str, pages: str, passage_id: str = "") -> str:
    """Where a quote comes from: name (symbol), provision, page; and, in a session record, the
    passage id last, so that anyone can look the passage up (`policyqa corpus show`, GET
    /v1/passages/{id}). Packs, quizzes and cases, printed for a courtroom training, carry no id."""
    # « résolution A/RES/78/217 » already holds its symbol.
    shown = f" ({symbol})" if symbol and symbol not in name else ""
    page = f", p. {pages}" if pages else ""
    return f"{name}{shown}, {provision}{page}" + (f" · passage {passage_id}" if passage_id else "")
