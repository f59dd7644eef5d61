"""Every sentence policyqa writes itself, per language. Quotes come from the documents."""

from __future__ import annotations

PHRASES = {
    "fr": {
        "according": "Selon {title}, {locator}{pages} :",
        "pages": ", p. {pages}",
        "not_covered": "Le corpus ne couvre pas cette question : aucun passage des textes disponibles n’y répond avec assez de certitude.",
        "see_also": "Passages les plus proches :",
        "absent": "Le corpus ne contient pas le texte que nomme la question : {names}.",
        "quote_other_language": "(texte disponible en anglais uniquement)",
    },
    "en": {
        "according": "According to {title}, {locator}{pages}:",
        "pages": ", p. {pages}",
        "not_covered": "The corpus does not cover this question: no passage of the available texts answers it with enough certainty.",
        "see_also": "Closest passages:",
        "absent": "The corpus does not contain the text the question names: {names}.",
        "quote_other_language": "(text available in French only)",
    },
}

UNSUPPORTED_LANGUAGE = (
    "policyqa répond aux questions en français et en anglais ; merci de reformuler votre question dans l’une de ces langues. / "
    "policyqa answers questions in French and English; please ask again in one of these languages."
)


def phrase(lang: str, key: str, **values: str) -> str:
    return PHRASES[lang if lang in PHRASES else "en"][key].format(**values)
