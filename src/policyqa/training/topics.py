"""A session topic turned into search queries in both languages.

The corpus is mostly English with some French texts, and the calibrated coverage test works
on questions, so each topic is searched as given, as a question, and in the other language.
The themes the magistrates' programmes teach are named here in French and English; any other
topic is searched as typed (the embeddings are multilingual) and its translation is left to
the cross-language search.
"""

from __future__ import annotations

from dataclasses import dataclass

from policyqa.text.analysis import fold


@dataclass(frozen=True)
class Theme:
    key: str
    en: str
    fr: str
    names: tuple[str, ...]  # how trainers write it, folded and lower-cased, in either language
    keywords: tuple[str, ...] = ()  # words that mark a provision or a definition as on the theme


THEMES = (
    Theme(
        "children",
        "migrant children",
        "enfants migrants",
        ("enfant", "mineur", "child", "minor", "unaccompanied", "non accompagn"),
        ("child", "children", "minor", "minors", "girls", "boys", "age", "enfant", "enfants", "mineur", "mineurs"),
    ),
    Theme(
        "trafficking-smuggling",
        "trafficking in persons and smuggling of migrants",
        "traite des personnes et trafic illicite de migrants",
        ("trafficking and smuggling", "trafficking versus smuggling", "traite et trafic", "traite des personnes et trafic"),
        ("trafficking", "smuggling", "traite", "trafic", "smuggled", "trafficked"),
    ),
    Theme(
        "trafficking",
        "trafficking in persons",
        "traite des personnes",
        ("trafficking", "traite"),
        ("trafficking", "trafficked", "exploitation", "traite"),
    ),
    Theme(
        "smuggling",
        "smuggling of migrants",
        "trafic illicite de migrants",
        ("smuggling", "trafic illicite", "passeur"),
        ("smuggling", "smuggled", "illegal entry", "trafic"),
    ),
    Theme(
        "detention",
        "immigration detention as a measure of last resort",
        "la détention des migrants en dernier recours",
        ("detention", "retention", "enfermement"),
        ("detention", "detained", "custody", "last resort", "détention", "rétention"),
    ),
    Theme(
        "non-refoulement",
        "non-refoulement: no return to persecution or serious harm",
        "non-refoulement : pas de renvoi vers la persécution",
        ("refoulement", "refouler"),
        ("refoulement", "refouler", "expel", "return", "persecution", "expulsion"),
    ),
    Theme(
        "justice",
        "access to justice and courts for migrants",
        "accès des migrants à la justice et aux tribunaux",
        ("access to justice", "acces a la justice", "courts", "tribunaux", "remedy", "recours"),
        ("justice", "court", "courts", "tribunal", "legal", "remedy", "lawyer", "judicial"),
    ),
    Theme(
        "consular",
        "consular assistance and protection",
        "assistance et protection consulaires",
        ("consul",),
        ("consular", "consulate", "consulaire", "consulaires"),
    ),
)


@dataclass(frozen=True)
class TopicQueries:
    topic: str
    lang: str
    theme: Theme | None
    # The topic and questions about it, in both languages when the theme is known. Coverage
    # is judged on these alone: the threshold was calibrated on questions, and wider framings
    # ("rights of migrants: …") make any topic look covered.
    queries: tuple[str, ...]
    keywords: tuple[str, ...]


_QUESTION = {
    "en": ("What do the texts provide on {t}?", "What are States' obligations regarding {t}?"),
    "fr": ("Que prévoient les textes sur {t} ?", "Quelles sont les obligations des États en matière de {t} ?"),
}


def find_theme(topic: str) -> Theme | None:
    text = " " + " ".join(fold(topic).lower().replace("-", " ").split()) + " "
    for theme in THEMES:  # the two-part theme is listed before its parts so it wins
        if any(fold(name).replace("-", " ") in text for name in theme.names):
            return theme
    return None


def queries(topic: str, lang: str) -> TopicQueries:
    text = " ".join(topic.split())
    theme = find_theme(text)
    other = "en" if lang == "fr" else "fr"
    coverage = [text, *(q.format(t=text) for q in _QUESTION[lang])]
    if theme:
        translated = getattr(theme, other)
        coverage += [translated, _QUESTION[other][0].format(t=translated)]
        own = getattr(theme, lang)
        if fold(own).lower() != fold(text).lower():
            coverage.append(own)
    seen: set[str] = set()
    coverage = [q for q in coverage if not (q.lower() in seen or seen.add(q.lower()))]
    keywords = tuple(theme.keywords) if theme else tuple(w for w in fold(text).lower().split() if len(w) > 3)
    return TopicQueries(text, lang, theme, tuple(coverage), keywords)
