"""Every sentence the training material writes itself, in French and English.

Quotes come from the documents; these are only the frame around them (headings, notes,
question templates), so a reader can always tell the corpus's words from ours.
"""

from __future__ import annotations

from policyqa.types import Document

PHRASES = {
    "fr": {
        "cases_title": "Cas pratiques : ce que le droit exige",
        "cases_subtitle": "Préparé par policyqa ({date}). Chaque cas a été rédigé à partir des dispositions qu’il cite ; "
        "chaque citation est reproduite mot pour mot et vérifiée dans le texte.",
        "cases_intro": "{n} cas. Lisez les faits, puis choisissez la réponse que le droit impose ; le corrigé cite les "
        "dispositions applicables et explique pourquoi les autres réponses ne s’appliquent pas.",
        "cases_none": "Aucun cas pratique sur ce thème pour l’instant. Thèmes disponibles : {topics}.",
        "case_heading": "Cas {n} : {title}",
        "case_facts": "Les faits",
        "case_question": "La question",
        "cases_key": "Corrigé",
        "case_answer": "Cas {n} : réponse {letter}",
        "case_why": "Pourquoi",
        "labelled": "{label} : {text}",
        "case_why_not": "Pourquoi pas {letter}",
        "case_provisions": "Dispositions applicables",
        "case_elements": "Les éléments des faits et le texte qui les vise",
        "nature_binding": "traité, contraignant pour les États parties",
        "nature_resolution": "résolution de l’Assemblée générale, non contraignante",
        "nature_compact": "pacte non contraignant",
        "nature_declaration": "déclaration, non contraignante en elle-même",
        "nature_other": "texte non contraignant",
        "pack_title": "Dossier de formation : {topic}",
        "pack_subtitle": "Préparé par policyqa à partir du corpus ({date}). Chaque citation est reproduite mot pour mot "
        "et renvoie au texte dont elle est tirée (document, disposition, page). Les traités, qui lient les États "
        "parties, viennent en premier ; les textes non contraignants ensuite.",
        "running_head": "policyqa · {topic}",
        "not_covered": "Les textes disponibles ne traitent pas de ce thème : aucune disposition n’y répond clairement. "
        "Plutôt que de proposer des textes hors sujet, policyqa ne prépare pas de dossier sur ce thème.",
        "not_covered_hint": "Essayez un thème voisin (par exemple : enfants migrants, traite et trafic illicite de migrants, "
        "détention en dernier recours, non-refoulement, accès à la justice, assistance consulaire), "
        "ou ajoutez au corpus les textes qui en traitent (policyqa corpus add).",
        "filtered": "Recherche limitée aux documents : {docs}.",
        "other_language": "Certaines citations sont en anglais. Elles sont reproduites dans leur langue d’origine, sans "
        "traduction, pour rester exactes ; la note qui suit chacune dit si le corpus contient aussi ce texte en français.",
        "provisions": "Dispositions clés",
        "provisions_intro": "{n} dispositions tirées de {m} instruments, classés par pertinence pour le thème.",
        "definitions": "Définitions",
        "definitions_intro": "Les termes que les textes du corpus définissent eux-mêmes.",
        "definitions_none": "Le corpus ne contient pas de définition formelle des termes de ce thème.",
        "defined_term": "« {term} »",
        "links": "Liens entre les instruments",
        "links_intro": "Passages où un texte renvoie à un autre.",
        "links_none": "Aucun des passages retenus ne renvoie à un autre instrument du corpus.",
        "link": "{source}, {locator}, renvoie {target}",
        "questions": "Questions pour la discussion",
        "also_in": "Même texte, ou presque, dans : {where}.",
        "method": "Méthode",
        "method_text": "Recherche : {queries}. Une disposition n’est retenue que si elle répond clairement à l’une de ces "
        "recherches ; au plus {per} par instrument.",
        # Discussion questions: each names the provisions quoted above.
        "q_definition": "Selon {title}, {locator}, quels sont les éléments constitutifs de « {term} » ? Lesquels "
        "devraient être établis devant votre juridiction, et par quels moyens de preuve ?",
        "q_two_definitions": "Comparez les définitions de « {a} » ({ta}, {la}) et de « {b} » ({tb}, {lb}) : quel "
        "élément les distingue, et quelles conséquences cette distinction a-t-elle pour la "
        "qualification des faits et la protection des personnes concernées ?",
        "q_apply": "Comment invoquer {title}, {locator} (« {start} ») dans une affaire dont vous êtes saisi concernant le "
        "thème « {topic} » ?",
        "q_weight": "{a} ({la}) est un traité ; {b} ({lb}), {kind} : quelle valeur juridique reconnaître à chacun "
        "devant un juge national ?",
        "q_compare": "Comparez {a}, {la} et {b}, {lb} : que précise le second par rapport au premier ?",
        "q_link": "{source}, {locator}, renvoie {target} : comment ces deux textes s’articulent-ils sur le thème « {topic} » ?",
        "q_language": "Les textes cités sont pour la plupart en anglais : quelles précautions prendre lorsqu’on les "
        "applique dans une procédure conduite en français ?",
        "kind_gcm": "un texte non contraignant (le Pacte mondial)",
        "kind_unga-resolution": "une résolution de l’Assemblée générale",
        "kind_declaration": "une déclaration politique",
        "kind_udhr": "une déclaration (la DUDH)",
        "kind_rabat-process": "un document d’un processus régional",
        "kind_other": "un texte qui n’est pas un traité",
        "quiz_title": "Quiz : {topic}",
        "quiz_subtitle": "Préparé par policyqa à partir du corpus ({date}), tirage {seed}. Chaque question porte sur un "
        "passage précis du corpus ; le corrigé donne la source de chaque réponse.",
        "quiz_subtitle_plain": "Préparé par policyqa à partir du corpus ({date}), tirage {seed}. Chaque question porte sur "
        "un texte précis du corpus.",
        "quiz_not_covered": "Les textes disponibles ne traitent pas de ce thème : aucune question n’a été posée, plutôt "
        "que des questions hors sujet.",
        # Whether the corpus also holds a text in French is said after each quote of the key, as
        # in the answers; the UDHR's is held, so "no French version" is not said of them all.
        "quiz_other_language": "Les extraits et les choix sont cités dans la langue du texte source (souvent l’anglais), sans traduction.",
        "quiz_questions": "Questions",
        "quiz_item": "Question {n}",
        "q_kind_gcm-objective": "Quel objectif du Pacte mondial comporte cet engagement ?",
        "q_kind_definition": "Quel instrument définit « {term} » dans les termes suivants ?",
        "q_kind_operative-paragraph": "Quel énoncé correspond au paragraphe {paragraph} du dispositif de la résolution "
        "{resolution} ({title}) ?",
        "q_kind_article": "Quel article de l’instrument {instrument} prévoit ce qui suit ?",
        "quiz_answers": "Corrigé",
        "quiz_answer": "{n}. Réponse {letter} : {choice}",
        "quiz_count": "{n} questions : {kinds}.",
        "kind_name_gcm-objective": "objectifs du Pacte mondial",
        "kind_name_definition": "définitions",
        "kind_name_operative-paragraph": "paragraphes du dispositif de résolutions",
        "kind_name_article": "articles de traités",
        "transcript_title": "Compte rendu de séance",
        "transcript_subtitle": "Questions posées à policyqa et réponses données ({date}), avec chaque source résolue : "
        "document, disposition, page et passage cité mot pour mot.",
        "transcript_turn": "Question {n}",
        "transcript_answer": "Réponse",
        "transcript_sources": "Sources citées",
        "transcript_see_also": "Passages les plus proches (non cités)",
        "transcript_unsupported": "Phrase non étayée par les sources : {sentence}",
        "transcript_empty": "Cette conversation ne contient aucune question.",
        "transcript_mode": "mode : {mode}",
    },
    "en": {
        "cases_title": "Case exercises: what the law requires",
        "cases_subtitle": "Prepared by policyqa ({date}). Each case was written from the provisions it cites; every "
        "quote is reproduced word for word and checked against the text.",
        "cases_intro": "{n} cases. Read the facts, then choose the answer the law requires; the key cites the controlling "
        "provisions and explains why the other answers do not apply.",
        "cases_none": "No case exercise on this topic yet. Topics available: {topics}.",
        "case_heading": "Case {n}: {title}",
        "case_facts": "The facts",
        "case_question": "The question",
        "cases_key": "Answer key",
        "case_answer": "Case {n}: answer {letter}",
        "case_why": "Why",
        "labelled": "{label}: {text}",
        "case_why_not": "Why not {letter}",
        "case_provisions": "Controlling provisions",
        "case_elements": "The elements of the facts and the text that addresses them",
        "nature_binding": "treaty, binding on its States parties",
        "nature_resolution": "General Assembly resolution, not binding",
        "nature_compact": "non-binding compact",
        "nature_declaration": "declaration, not binding in itself",
        "nature_other": "not binding",
        "pack_title": "Training pack: {topic}",
        "pack_subtitle": "Prepared by policyqa from the corpus ({date}). Every quotation is verbatim and points to the "
        "text it comes from (document, provision, page). Treaties, which bind their States parties, come first; "
        "texts that do not bind come after them.",
        "running_head": "policyqa · {topic}",
        "not_covered": "The available texts do not deal with this topic: no provision answers it clearly. Rather than "
        "offer texts that are off the point, policyqa makes no pack on it.",
        "not_covered_hint": "Try a related theme (for example: migrant children, trafficking and smuggling, detention as "
        "a last resort, non-refoulement, access to justice, consular assistance), or add the texts "
        "that deal with it to the corpus (policyqa corpus add).",
        "filtered": "Search limited to the documents: {docs}.",
        "other_language": "Some quotations are in French. They are given in their original language, untranslated, to "
        "stay exact; the note after each says whether the corpus also holds that text in English.",
        "provisions": "Key provisions",
        "provisions_intro": "{n} provisions from {m} instruments, ordered by relevance to the topic.",
        "definitions": "Definitions",
        "definitions_intro": "Terms that the texts of the corpus define themselves.",
        "definitions_none": "The corpus holds no formal definition of the terms of this topic.",
        "defined_term": "“{term}”",
        "links": "Links between instruments",
        "links_intro": "Passages where one text refers to another.",
        "links_none": "None of the passages selected refers to another instrument of the corpus.",
        "link": "{source}, {locator}, refers to {target}",
        "questions": "Discussion questions",
        "also_in": "Same or nearly the same wording in: {where}.",
        "method": "Method",
        "method_text": "Searched: {queries}. A provision is kept only when it clearly answers one of these searches; at "
        "most {per} per instrument.",
        "q_definition": "According to {title}, {locator}, what are the constituent elements of “{term}”? Which of "
        "them would have to be established before your court, and by what evidence?",
        "q_two_definitions": "Compare the definitions of “{a}” ({ta}, {la}) and “{b}” ({tb}, {lb}): which element "
        "sets them apart, and what follows from it for the legal characterisation of the facts "
        "and for the protection of the persons concerned?",
        "q_apply": "How could {title}, {locator} (“{start}”) be relied on in a case before you on “{topic}”?",
        "q_weight": "{a} ({la}) is in a treaty, {b} ({lb}) in {kind}: what legal weight should a national court give each of them?",
        "q_compare": "Compare {a}, {la} and {b}, {lb}: what does the second add to the first?",
        "q_link": "{source}, {locator}, refers to {target}: how do the two texts work together on “{topic}”?",
        "q_language": "Some texts quoted are only in French: what care is needed when applying them in proceedings conducted in English?",
        "kind_gcm": "a non-legally binding text (the Global Compact)",
        "kind_unga-resolution": "a General Assembly resolution",
        "kind_declaration": "a political declaration",
        "kind_udhr": "a declaration (the UDHR)",
        "kind_rabat-process": "a regional process document",
        "kind_other": "a text that is not a treaty",
        "quiz_title": "Quiz: {topic}",
        "quiz_subtitle": "Prepared by policyqa from the corpus ({date}), draw {seed}. Each question is about one passage "
        "of the corpus; the answer key gives the source of every answer.",
        "quiz_subtitle_plain": "Prepared by policyqa from the corpus ({date}), draw {seed}. Each question is about one text of the corpus.",
        "quiz_not_covered": "The available texts do not deal with this topic: no question was set, rather than questions "
        "that are off the point.",
        "quiz_other_language": "Extracts and choices are quoted in the language of the source text.",
        "quiz_questions": "Questions",
        "quiz_item": "Question {n}",
        "q_kind_gcm-objective": "Which objective of the Global Compact includes this commitment?",
        "q_kind_definition": "Which instrument defines “{term}” in the following terms?",
        "q_kind_operative-paragraph": "Which statement matches operative paragraph {paragraph} of resolution {resolution} ({title})?",
        "q_kind_article": "Which article of {instrument} provides the following?",
        "quiz_answers": "Answer key",
        "quiz_answer": "{n}. Answer {letter}: {choice}",
        "quiz_count": "{n} questions: {kinds}.",
        "kind_name_gcm-objective": "Global Compact objectives",
        "kind_name_definition": "definitions",
        "kind_name_operative-paragraph": "operative paragraphs of resolutions",
        "kind_name_article": "treaty articles",
        "transcript_title": "Session record",
        "transcript_subtitle": "Questions put to policyqa and the answers it gave ({date}), with every source resolved: "
        "document, provision, page and the passage quoted verbatim.",
        "transcript_turn": "Question {n}",
        "transcript_answer": "Answer",
        "transcript_sources": "Sources cited",
        "transcript_see_also": "Closest passages (not cited)",
        "transcript_unsupported": "Sentence not supported by the sources: {sentence}",
        "transcript_empty": "This conversation holds no questions.",
        "transcript_mode": "mode: {mode}",
    },
}


_FRENCH_SPACES = (("« ", "«\u00a0"), (" »", "\u00a0»"), (" ?", "\u00a0?"), (" :", "\u00a0:"), (" ;", "\u00a0;"))


def phrase(lang: str, key: str, **values: object) -> str:
    return tie(PHRASES[lang if lang in PHRASES else "en"][key].format(**values), lang)


def tie(text: str, lang: str) -> str:
    """French punctuation never starts a line: non-breaking spaces, as in print."""
    if lang == "fr":
        for plain, tied in _FRENCH_SPACES:
            text = text.replace(plain, tied)
    return text


_NATURE = {"resolution": "nature_resolution", "compact": "nature_compact", "declaration": "nature_declaration"}
BINDING_KINDS = ("treaty", "convention", "protocol")


def binding(doc: Document) -> bool:
    """A treaty binds its States parties; a resolution, a compact or a declaration does not."""
    return doc.family == "treaty" or doc.kind in BINDING_KINDS


def nature(doc: Document, lang: str) -> str:
    """The text's legal nature, in words a court uses."""
    return phrase(lang, "nature_binding" if binding(doc) else _NATURE.get(doc.kind, "nature_other"))
