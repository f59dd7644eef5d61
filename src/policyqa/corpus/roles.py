"""What part a passage plays in its text: a preambular paragraph recalls context, a
procedural one organises the body's own work (reports, agenda, follow-up), an operative one
states what is decided, called for or required. A question on what a text provides is
answered by an operative provision; the other two are often close in wording.
"""

from __future__ import annotations

import re

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


def role(passage: Passage) -> str:
    if _PREAMBLE.search(passage.locator):
        return "preambular"
    if passage.locator.startswith("op.") and _PROCEDURAL.match(passage.text.lstrip()):
        return "procedural"
    return "operative"
