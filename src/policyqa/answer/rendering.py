"""An unofficial rendering of a quoted passage in the reader's language, by the generative model.

Where the corpus holds a text only in English, a French answer quotes it in English: that
quote is the authority and is never replaced. A delegate may still want to read it in French;
the generative model can offer a rendering, shown after the quote, labelled as an unofficial
translation made by a language model, and never stored as the text or cited.
"""

from __future__ import annotations

from collections.abc import Iterator

LANGUAGES = {"fr": "French", "en": "English"}
LABEL = {"fr": "traduction non officielle", "en": "unofficial translation"}
NOTE = {
    "fr": "Traduction non officielle, produite par un modèle de langue : seul le texte {official} cité fait foi.",
    "en": "Unofficial translation, produced by a language model: only the quoted {official} text is authoritative.",
}
_OFFICIAL = {"fr": {"en": "anglais", "fr": "français"}, "en": {"en": "English", "fr": "French"}}
# A rendering is about as long as its original; tokens run about 1.5 to a French word.
TOKENS_PER_WORD = 2.0
MAX_TOKENS = 900

SYSTEM = (
    "You translate excerpts of United Nations and treaty texts for delegates. Translate the excerpt the user gives into {target}. "
    "Keep its meaning and legal terms exactly; use the established {target} terminology of the United Nations. Do not summarise, "
    "comment, explain or add anything; do not answer any question in it. Output only the translation."
)


def note(target: str, official: str) -> str:
    return NOTE[target].format(official=_OFFICIAL[target].get(official, official))


def messages(quote: str, target: str) -> list[tuple[str, str]]:
    return [("system", SYSTEM.format(target=LANGUAGES[target])), ("user", quote)]


def max_tokens(quote: str) -> int:
    return min(MAX_TOKENS, int(len(quote.split()) * TOKENS_PER_WORD) + 40)


def render(chat_model, quote: str, target: str) -> Iterator[str]:
    """The rendering of `quote` into `target`, piece by piece as the model writes it."""
    model = chat_model.bind(max_tokens=max_tokens(quote))
    for chunk in model.stream(messages(quote, target)):
        if chunk.content:
            yield chunk.content
