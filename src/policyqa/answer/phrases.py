"""Every sentence policyqa writes itself, per language. Quotes come from the documents."""

from __future__ import annotations

PHRASES = {
    "fr": {
        "according": "Selon {title}, {locator}{pages} :",
        "pages": ", p. {pages}",
        "not_covered": "Le corpus ne couvre pas cette question : aucun passage des textes disponibles n’y répond avec assez de certitude.",
        "see_also": "Passages les plus proches :",
        "absent": "Le corpus ne contient pas le texte que nomme la question : {names}.",
        # The quote stays the authority, in its own language; the note says why it is not in
        # French, and whether the French version of that text is in the corpus at all.
        "quote_other_language": "(texte officiel en anglais ; aucune version française dans le corpus)",
        "quote_other_language_held": "(texte cité en anglais ; la version française de ce texte est aussi dans le corpus)",
        "unavailable": "Le catalogue répertorie {name}, mais son texte n’est pas disponible ici : enregistrez le fichier officiel "
        "sous {path} dans corpus/local/, puis reconstruisez l’index (policyqa index build).",
        "other_collection": "Le catalogue répertorie {name} dans la collection « {collection} », que cet index ne sert "
        "pas : construisez-le avec policyqa index build --collection all.",
        "missing_version": "Le corpus ne contient pas de texte de {year} sous ce nom ; il contient « {title} » : {versions}.",
        "unknown_year": "Le corpus ne contient aucun texte de {years} du type que nomme la question.",
        "after_corpus": "La question porte sur {year}, après le plus récent des textes du corpus (adopté le {latest}) : "
        "le corpus ne peut pas en rendre compte.",
        "changes_lead": "Entre {old} ({old_year}) et {new} ({new_year}) : {amended} paragraphe(s) modifié(s), {added} ajouté(s), "
        "{dropped} supprimé(s), {moved} déplacé(s) ; {unchanged} inchangé(s).",
        "changes_added": "Ajouté en {year}, {locator}{pages} :",
        "changes_dropped": "Supprimé après {year}, {locator}{pages} :",
        "changes_amended": "Modifié, {old_locator} ({old_year}) → {locator} ({year}){pages} ; "
        "mots ajoutés : {inserted} ; mots retirés : {deleted}",
        "changes_none": "aucun",
        "changes_more": "Et {count} autre(s) changement(s) : la comparaison complète avec policyqa compare {old} {new} "
        "ou GET /v1/compare?old={old}&new={new}.",
    },
    "en": {
        "according": "According to {title}, {locator}{pages}:",
        "pages": ", p. {pages}",
        "not_covered": "The corpus does not cover this question: no passage of the available texts answers it with enough certainty.",
        "see_also": "Closest passages:",
        "absent": "The corpus does not contain the text the question names: {names}.",
        "quote_other_language": "(official text in French; no English version in the corpus)",
        "quote_other_language_held": "(text quoted in French; the English version of this text is also in the corpus)",
        "unavailable": "The catalogue lists {name}, but its text is not available here: save the official file as {path} "
        "in corpus/local/, then rebuild the index (policyqa index build).",
        "other_collection": "The catalogue lists {name} in the “{collection}” collection, which this index does not serve: "
        "build it with policyqa index build --collection all.",
        "missing_version": "The corpus holds no text of {year} by that name; it holds “{title}”: {versions}.",
        "unknown_year": "The corpus holds no text of {years} of the kind the question names.",
        "after_corpus": "The question is about {year}, after the latest text in the corpus (adopted on {latest}): the "
        "corpus cannot report on it.",
        "changes_lead": "Between {old} ({old_year}) and {new} ({new_year}): {amended} paragraph(s) amended, {added} added, "
        "{dropped} dropped, {moved} moved; {unchanged} unchanged.",
        "changes_added": "Added in {year}, {locator}{pages}:",
        "changes_dropped": "Dropped after {year}, {locator}{pages}:",
        "changes_amended": "Amended, {old_locator} ({old_year}) → {locator} ({year}){pages}; "
        "words added: {inserted}; words removed: {deleted}",
        "changes_none": "none",
        "changes_more": "And {count} other change(s): the whole comparison with policyqa compare {old} {new} "
        "or GET /v1/compare?old={old}&new={new}.",
    },
}

UNSUPPORTED_LANGUAGE = (
    "policyqa répond aux questions en français et en anglais ; merci de reformuler votre question dans l’une de ces langues. / "
    "policyqa answers questions in French and English; please ask again in one of these languages."
)


def phrase(lang: str, key: str, **values: str) -> str:
    return PHRASES[lang if lang in PHRASES else "en"][key].format(**values)
