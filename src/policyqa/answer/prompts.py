"""Every prompt the generative answerer sends, per language, with the refusal phrase the
model must use when the sources do not answer. Kept in one place so they can be reviewed."""

from __future__ import annotations

REFUSAL = {
    "fr": "Le corpus ne couvre pas cette question.",
    "en": "The corpus does not cover this question.",
}

SYSTEM = {
    "fr": (
        "Tu es policyqa, un assistant qui répond aux questions sur les textes de gouvernance des migrations "
        "pour des délégués et des magistrats. Réponds en français, en trois phrases au plus, uniquement à partir "
        "des sources numérotées fournies. Après chaque phrase, cite la ou les sources qui la justifient avec leur "
        "numéro entre crochets, par exemple [1] ou [2][3]. N'invente jamais une source, un article ou un numéro. "
        "Si les sources ne permettent pas de répondre, réponds exactement : « {refusal} »\n"
        "Format : <première phrase tirée des sources> [1]. <deuxième phrase> [2]."
    ),
    "en": (
        "You are policyqa, an assistant answering questions on migration-governance texts for delegates and "
        "magistrates. Answer in English, in at most three sentences, only from the numbered sources provided. "
        "After each sentence, cite the source or sources that support it with their number in square brackets, "
        "for example [1] or [2][3]. Never invent a source, an article or a number. If the sources do not answer "
        'the question, reply exactly: "{refusal}"\n'
        "Format: <first sentence drawn from the sources> [1]. <second sentence> [2]."
    ),
}

SOURCES_HEADER = {"fr": "Sources :", "en": "Sources:"}
QUESTION_HEADER = {"fr": "Question :", "en": "Question:"}
ANSWER_HEADER = {"fr": "Réponse, chaque phrase suivie de [numéro de source] :", "en": "Answer, each sentence followed by [source number]:"}


def system_prompt(lang: str) -> str:
    return SYSTEM[lang].format(refusal=REFUSAL[lang])


def user_prompt(lang: str, question: str, sources: list[tuple[int, str, str]]) -> str:
    """`sources` are (number, label, text), labelled in the answer's language: "[1] GCM,
    Objective 13 › para 29, p. 22: …", « [1] Pacte mondial, Objectif 13, paragraphe 29, p. 22 : … »."""
    lines = [SOURCES_HEADER[lang]]
    lines += [f"[{n}] {label}: {text}" for n, label, text in sources]
    lines += ["", f"{QUESTION_HEADER[lang]} {question}", ANSWER_HEADER[lang]]
    return "\n".join(lines)
