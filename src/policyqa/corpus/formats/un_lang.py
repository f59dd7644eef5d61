"""The words and marks of UN documents in each official language the corpus reads.

The English and French versions of a resolution have the same structure, paragraph for
paragraph; only the words around it differ: "The General Assembly," / "L’Assemblée générale,",
"(a)" / "a)" (French UN style has no opening parenthesis), "Objective 13:" / "Objectif 13 :",
"50th plenary meeting" / "50e séance plénière". Section keys never depend on these, so that
the two versions pair; locators are written in the document's own language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_MONTHS_FR = "janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre"


@dataclass(frozen=True)
class Wording:
    item: re.Pattern[str]  # a sub-item label opening a line; group 1 is the bare letter(s)
    objective: re.Pattern[str]  # a GCM objective heading; groups: number, title
    objective_heading: str  # the heading as a passage's context, from number and title
    enacting: re.Pattern[str]  # the enacting formula, not a paragraph
    enacting_starts: tuple[str, ...]  # how the line that ends the title on page 1 opens
    annex: str
    preamble: str
    plenary: re.Pattern[str]  # the closing "50th plenary meeting"
    closing_date: re.Pattern[str]  # and its date
    # Locators, in the document's language; {n} is the paragraph's number, {o} the objective's.
    op: str
    pp: str
    annex_para: str
    annex_pp: str
    gcm_op: str
    gcm_pp: str
    gcm_para: str
    gcm_objective_para: str


ENGLISH = Wording(
    item=re.compile(r"^\(([a-z]{1,2}|[ivxl]+)\)(?:\s+|$)"),
    objective=re.compile(r"^Objective (\d{1,2}):\s*(.+)$", re.S),
    objective_heading="Objective {n}: {title}",
    enacting=re.compile(r"The General Assembly,?"),
    enacting_starts=("The General Assembly",),
    annex="Annex",
    preamble="Preamble",
    plenary=re.compile(r"^\d+(?:st|nd|rd|th) plenary meeting$"),
    closing_date=re.compile(r"^\d{1,2} [A-Z][a-z]+ \d{4}$"),
    op="op. {n}",
    pp="preambular para {n}",
    annex_para="Annex, para {n}",
    annex_pp="Annex, preambular para {n}",
    gcm_op="resolution op. {n}",
    gcm_pp="resolution, preambular para {n}",
    gcm_para="para {n}",
    gcm_objective_para="Objective {o} › para {n}",
)

# The number comes last in each French locator, as in the English ones, so that a reader of
# locators finds it in the same place ("préambule, alinéa 3", "Objectif 13 › par. 29").
FRENCH = Wording(
    item=re.compile(r"^([a-z]{1,2}|[ivxl]+)\)(?:\s+|$)"),
    objective=re.compile(r"^Objectif (\d{1,2})\s?:\s*(.+)$", re.S),
    objective_heading="Objectif {n} : {title}",
    enacting=re.compile(r"L[’']Assemblée générale,?"),
    enacting_starts=("L’Assemblée générale", "L'Assemblée générale"),
    annex="Annexe",
    preamble="Préambule",
    plenary=re.compile(r"^\d+\s?(?:e|re|er) séance plénière$"),  # « 50e », and « 1re » for the first
    closing_date=re.compile(rf"^(?:1er|\d{{1,2}}) (?:{_MONTHS_FR}) \d{{4}}$"),
    op="par. {n}",
    pp="préambule, alinéa {n}",
    annex_para="Annexe, par. {n}",
    annex_pp="Annexe, préambule, alinéa {n}",
    gcm_op="résolution, par. {n}",
    gcm_pp="résolution, préambule, alinéa {n}",
    gcm_para="par. {n}",
    gcm_objective_para="Objectif {o} › par. {n}",
)

WORDINGS = {"en": ENGLISH, "fr": FRENCH}


def wording(lang: str) -> Wording:
    """A language without its own wording is read with the English one, as before."""
    return WORDINGS.get(lang, ENGLISH)


def opens_enacting(line: str, words: Wording) -> bool:
    return line.startswith(words.enacting_starts)
