"""What part a passage plays in its text: a preambular paragraph recalls context, a
procedural one organises the body's own work (reports, agenda, follow-up), an operative one
states what is decided, called for or required. A question on what a text provides is
answered by an operative provision; the other two are often close in wording.
"""

from __future__ import annotations

import re

from policyqa.answer.locators import structure
from policyqa.types import Passage

ROLES = ("operative", "preambular", "procedural")

_PREAMBLE = re.compile(r"\bpr[eé]amb", re.I)  # "preambular para 3", "préambule, alinéa 3"
# The verbs that open a General Assembly paragraph about its own work, not about what
# States are to do: "Requests the Secretary-General to submit ... a report", "Decides to
# include in the provisional agenda", "Takes note of the report".
_PROCEDURAL = re.compile(
    r"^(?:also |further )?(?:requests the (?:secretary-general|special rapporteur|united nations|office)|"
    r"decides to (?:include|continue|remain|consider|convene)|takes note|notes (?:with|the)|looks forward|"
    r"invites the (?:secretary-general|chair|president|special rapporteur)|welcomes the (?:report|biennial|ongoing)|"
    r"recalls (?:its|the)|reaffirms its request)",
    re.I,
)
# The same openings in the French resolutions, where the adverb follows the verb (« Prie
# également le Secrétaire général », "Also requests the Secretary-General"): « Prie le
# Secrétaire général de lui présenter … un rapport », « Décide d’inscrire à l’ordre du jour
# provisoire », « Décide de poursuivre l’examen », « Décide de rester saisie de la question »,
# « Prend note du rapport ». « Prie instamment » ("Urges") is no request for a report.
_PROCEDURAL_FR = re.compile(
    r"^(?:prie (?:également |aussi |en outre )?(?:le secrétaire général|le rapporteur spécial|l[’']organisation des nations unies|"
    r"le haut-commissariat|l[’']office)|"
    r"décide (?:également |aussi |en outre )?(?:d[’']inscrire|de poursuivre|de rester|d[’']examiner|de convoquer)|"
    r"prend (?:également |aussi )?(?:acte|note)|note (?:avec|le |la |les |l[’'])|attend avec intérêt|"
    r"invite (?:le secrétaire général|le président|la présidente|la présidence|le rapporteur spécial)|"
    r"(?:accueille avec satisfaction|se félicite|salue) (?:le rapport|du rapport|le dialogue biennal|les travaux en cours)|"
    r"rappelle (?:sa |ses |son |le |la |les |l[’'])|réaffirme sa demande)",
    re.I,
)


def role(passage: Passage) -> str:
    # The section key and the locator's structure first, so that a French text's « par. 5 »
    # is the "op. 5" it stands for; the locator's wording for a shape not known there.
    where = structure(passage)
    if (where.unit in ("pp", "preamble")) if where is not None else _PREAMBLE.search(passage.locator):
        return "preambular"
    # Only a resolution's own numbered paragraphs: "resolution op. 1" of a text it adopts
    # (the GCM's) is not about the Assembly's work.
    numbered = (where.unit == "op" and not where.scope) if where is not None else passage.locator.startswith("op.")
    verbs = _PROCEDURAL_FR if passage.lang == "fr" else _PROCEDURAL
    if numbered and verbs.match(passage.text.lstrip()):
        return "procedural"
    return "operative"
