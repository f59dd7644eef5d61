"""A handout as a list of typed blocks, so that the Markdown and the PDF say the same thing.

Packs, quizzes and session records are laid out once into these blocks; each renderer only
knows how to print a block, never what a pack or a quiz is.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 1  # 1 = section, 2 = sub-section


@dataclass(frozen=True)
class Para:
    text: str
    emphasis: bool = False  # printed in italics: notes about the material, not material


@dataclass(frozen=True)
class Bullets:
    items: tuple[str, ...]
    numbered: bool = False
    labelled: bool = False  # the items carry their own labels ("A. …"): no bullet printed


@dataclass(frozen=True)
class Quote:
    """A verbatim span of one passage and the line that says where it comes from.

    `passage_id` names the passage the quote must be part of (a test checks it); only a
    session record prints it, at the end of `source`. Packs, quizzes and case exercises,
    printed for a courtroom training, name the text, provision and page only.
    """

    text: str
    source: str
    lang: str  # the quote's language: it decides the quotation marks
    note: str = ""  # after a quote in the other language, e.g. « (texte officiel en anglais ; aucune version française dans le corpus) »
    passage_id: str = ""


@dataclass(frozen=True)
class Handout:
    title: str
    lang: str
    blocks: tuple[Heading | Para | Bullets | Quote, ...]
    subtitle: str = ""
    running_head: str = ""  # printed at the top of every page after the first

    def quotes(self) -> tuple[Quote, ...]:
        return tuple(b for b in self.blocks if isinstance(b, Quote))


def quote_marks(lang: str) -> tuple[str, str]:
    # French typography puts non-breaking spaces inside « »; English uses curly quotes.
    return ("«\u00a0", "\u00a0»") if lang == "fr" else ("“", "”")
