"""French versions of two General Assembly texts, for the tests: A/RES/80/218 "Protection des
migrants" and the GCM (A/RES/73/195), with the same paragraphs as the English files of the
shared corpus. The paragraphs the tests quote are written in the wording and typography of the
official French versions (participles, "Demande aux États", "a)", « », the space before ; and :);
the others are short stand-ins that keep the structure, one paragraph for one, because versions
are paired only when they have exactly the same paragraphs.
"""

from __future__ import annotations

import re

from un_fr_factory import Heading, Op, Pp, Resolution

PP_80_218 = {
    1: Pp(
        "Rappelant",
        "toutes ses résolutions antérieures sur la protection des migrants, ainsi que les résolutions du Conseil des droits de l’homme "
        "sur la question,",
    ),
    2: Pp(
        "Réaffirmant",
        "la Déclaration universelle des droits de l’homme1, qui proclame que tous les êtres humains naissent libres et égaux en dignité "
        "et en droits et que chacun peut se prévaloir de tous les droits et de toutes les libertés qui y sont énoncés, sans distinction "
        "aucune, notamment de race,",
    ),
    3: Pp(
        "Réaffirmant également",
        "que toute personne a le droit de circuler librement et de choisir sa résidence à l’intérieur d’un État et que toute personne "
        "a le droit de quitter tout pays, y compris le sien, et de revenir dans son pays,",
    ),
    # A cross-reference number before the footnote mark of the same number: "paragraphe 2" is
    # a reference, the "2" glued to "pertinents" the mark.
    4: Pp("Rappelant", "le paragraphe 2 de sa résolution 79/160 et les principes directeurs pertinents2,"),
    36: Pp(
        "Consciente",
        "que les enfants migrants, y compris ceux qui sont non accompagnés ou séparés de leurs parents ou des personnes qui s’occupent "
        "principalement d’eux, sont particulièrement vulnérables tout au long de leur parcours migratoire, et réaffirmant l’engagement "
        "pris de protéger les droits de l’enfant et de respecter le principe de l’intérêt supérieur de l’enfant,",
    ),
}

OP_5_ITEMS = (
    (
        "a)",
        "Demande",
        "à tous les États de respecter les droits humains et la dignité inhérente des migrants, de mettre fin aux arrestations et aux "
        "détentions arbitraires et, compte tenu de la Déclaration de New York pour les réfugiés et les migrants, de réexaminer les "
        "politiques qui empêchent les migrants de jouir pleinement de leurs droits humains et de leurs libertés fondamentales, de "
        "rechercher des solutions de substitution à la détention pendant l’évaluation du statut migratoire et de tenir compte des "
        "mesures que certains États ont appliquées avec succès ;",
    ),
    (
        "b)",
        "Engage",
        "les États à mettre en place, s’ils ne l’ont pas encore fait, des systèmes et des procédures appropriés afin que l’intérêt "
        "supérieur de l’enfant soit une considération primordiale dans toutes les décisions concernant les enfants migrants, quel que "
        "soit leur statut migratoire, et à s’employer à mettre fin à la détention des enfants migrants ;",
    ),
    (
        "c)",
        "Engage également",
        "les États à coopérer et à prendre des mesures appropriées, dans le plein respect des obligations que leur impose le droit "
        "international des droits de l’homme, pour prévenir, combattre et réprimer le trafic illicite et la traite des migrants ;",
    ),
    (
        "d)",
        "Prie instamment",
        "tous les États d’adopter des mesures efficaces pour prévenir et réprimer toute forme de privation illégale de liberté de "
        "migrants par des individus ou des groupes ;",
    ),
    (
        "e)",
        "Prie",
        "les États d’adopter des mesures concrètes pour empêcher la violation des droits humains des migrants pendant leur transit, "
        "notamment dans les ports et les aéroports, aux frontières et aux points de contrôle migratoire, et de former régulièrement "
        "les agents publics qui travaillent dans ces installations et dans les zones frontalières ;",
    ),
    (
        "f)",
        "Engage",
        "les États à élaborer, à mettre en œuvre et à améliorer des programmes de formation destinés aux responsables de "
        "l’application des lois, aux agents des services de l’immigration et de la police des frontières, aux agents diplomatiques "
        "et consulaires, aux magistrats et aux procureurs ;",
    ),
    (
        "g)",
        "Souligne",
        "que les migrants ont le droit de retourner dans le pays dont ils ont la nationalité, et rappelle que les États doivent "
        "veiller à ce que leurs ressortissants qui reviennent soient dûment accueillis ;",
    ),
    (
        "h)",
        "Demande",
        "aux États d’étudier et de mettre en œuvre, selon qu’il convient, des mécanismes permettant de gérer le retour des migrants "
        "de manière sûre et ordonnée, conformément aux obligations que leur impose le droit international ;",
    ),
    (
        "i)",
        "Demande également",
        "aux États de poursuivre, conformément au droit applicable, les auteurs de violations des droits humains des migrants et de "
        "leur famille, telles que la détention arbitraire, la torture et les atteintes au droit à la vie, y compris les exécutions "
        "extrajudiciaires, commises pendant leur transit ;",
    ),
    (
        "j)",
        "Demande en outre",
        "aux États de protéger les droits humains des enfants migrants, quel que soit leur statut migratoire, en particulier des "
        "enfants non accompagnés, en veillant à ce que l’intérêt supérieur de l’enfant soit une considération primordiale ;",
    ),
    (
        "k)",
        "Réaffirme avec force",
        "que les États parties sont tenus de veiller au plein respect de la Convention de Vienne sur les relations consulaires, en "
        "particulier du droit de tout ressortissant étranger de communiquer avec un fonctionnaire consulaire de l’État d’envoi en cas "
        "d’arrestation, d’incarcération, de garde à vue ou de détention ;",
    ),
)

OP_80_218 = {
    1: Op(
        1,
        "Demande",
        "aux États de promouvoir et de protéger efficacement les droits humains et les libertés fondamentales de tous les migrants, "
        "quel que soit leur statut migratoire, en particulier ceux des femmes, des enfants et des personnes handicapées, et de traiter "
        "la question des migrations internationales par la voie de la coopération et du dialogue internationaux, régionaux ou "
        "bilatéraux ;",
    ),
    4: Op(
        4,
        "Réaffirme",
        "les droits énoncés dans la Déclaration universelle des droits de l’homme et les obligations qui incombent aux États en vertu "
        "des Pactes internationaux relatifs aux droits de l’homme et, à cet égard :",
        (
            ("a)", "Condamne énergiquement", "les actes de racisme, de discrimination raciale et de xénophobie visant les migrants ;"),
            ("b)", "Se déclare préoccupée", "par les lois adoptées par certains États qui restreignent les droits humains des migrants ;"),
            ("c)", "Engage", "les États à fournir des documents permettant d’accéder à des voies de migration sûres et régulières ;"),
            ("d)", "Demande", "aux États de respecter le principe de non-refoulement ;"),
            ("e)", "Demande", "aux États qui ne l’ont pas encore fait d’envisager de ratifier la Convention, à titre prioritaire ;"),
        ),
    ),
    5: Op(
        5,
        "Réaffirme également",
        "que les États ont le devoir de promouvoir et de protéger efficacement les droits humains et les libertés fondamentales de "
        "tous les migrants, y compris ceux des femmes et des enfants, quel que soit leur statut migratoire, conformément à la "
        "Déclaration universelle des droits de l’homme et aux instruments internationaux auxquels ils sont parties, et, par "
        "conséquent :",
        OP_5_ITEMS,
    ),
    12: Op(
        12,
        "Demande",
        "à tous les États de promouvoir et de protéger le droit de chacun, y compris les migrants, sans discrimination d’aucune sorte, "
        "de jouir du meilleur état de santé physique et mentale possible ;",
    ),
    32: Op(
        32,
        "Prie",
        "le Secrétaire général de lui présenter à sa quatre-vingt-deuxième session un rapport d’ensemble intitulé « Droits humains "
        "des migrants », portant sur tous les aspects de l’application de la présente résolution ;",
    ),
    33: Op(33, "Décide", "de rester saisie de la question."),
}


def item_labels(passages) -> dict[str, list[str]]:
    """The sub-item labels of each section of a version, as its passages give them."""
    found: dict[str, list[str]] = {}
    for p in passages:
        labels = found.setdefault(p.section_key, [])
        labels += [m for m in re.findall(r"^(\([a-z]{1,2}\)|\d{1,2}\.)\s", p.text, re.M) if m not in labels]
    return found


def _french_label(label: str) -> str:
    return label[1:] if label.startswith("(") else label  # "(a)" -> "a)"; "1." stays


def _stand_in(n: int, key: str, items: dict[str, list[str]], verb: str = "Engage", rest: str = "") -> Op:
    """A numbered paragraph with the English one's sub-items, each a short French stand-in."""
    labels = [_french_label(label) for label in items.get(key, [])]
    rest = rest or (f"les États à donner effet aux dispositions visées au paragraphe {n}" + (" et, à cet égard :" if labels else " ;"))
    subs = [(label, "Demande", f"aux États d’appliquer la mesure {label} ;") for label in labels]
    if key == "op-6" and labels:
        # Roman sub-items inside a lettered one stay with it, as "(i)" does in English.
        subs[1:1] = [("i)", "", "à l’accès des migrants aux services de base ;"), ("ii)", "", "à l’accès des migrants à la justice ;")]
    return Op(n, verb, rest, tuple(subs))


def a_res_80_218_fr(items: dict[str, list[str]]) -> Resolution:
    """`items`: the sub-item labels of each paragraph of the English version, by section key."""
    body: list = [PP_80_218.get(n) or Pp("Rappelant", f"en outre les dispositions de l’alinéa {n} du préambule,") for n in range(1, 39)]
    body += [OP_80_218.get(n) or _stand_in(n, f"op-{n}", items) for n in range(1, 34)]
    return Resolution(
        symbol="A/RES/80/218",
        number="80/218",
        title="Protection des migrants",
        job="25-20973",
        session="Quatre-vingtième session",
        adopted="le 18 décembre 2025",
        report="[sur la base du rapport de la Troisième Commission (A/80/545, par. 5)]",
        body=body,
        notes=("Résolution 217 A (III).", "A/HRC/55/30, annexe."),
    )


OBJECTIVE_13 = (
    "Objectif 13 : Ne recourir au placement en rétention administrative des migrants qu’en dernier ressort et chercher des "
    "solutions de rechange"
)
PARA_29 = Op(
    29,
    "Nous nous engageons",
    "à faire en sorte que toute forme de rétention dans le contexte des migrations internationales respecte les garanties d’une "
    "procédure régulière, ne soit pas arbitraire, repose sur la loi, la nécessité, la proportionnalité et une évaluation "
    "individuelle, soit ordonnée par des agents habilités et soit d’une durée aussi brève que possible. À cette fin, nous "
    "puiserons dans les mesures suivantes :",
    (
        ("a)", "Utiliser", "les mécanismes existants relatifs aux droits de l’homme pour améliorer le contrôle de la rétention ;"),
        ("b)", "Regrouper", "dans un référentiel les pratiques optimales en matière de solutions de rechange à la rétention ;"),
        ("c)", "Revoir", "et réviser la législation, les politiques et les pratiques relatives à la rétention administrative ;"),
        ("d)", "Ménager", "un accès à la justice à tous les migrants qui font ou pourraient faire l’objet d’une mesure de rétention ;"),
        ("e)", "Veiller", "à ce que tous les migrants placés en rétention soient informés des motifs de leur rétention ;"),
        ("f)", "Examiner", "les moyens d’assurer un suivi indépendant des lieux de rétention ;"),
        ("g)", "Veiller", "à ce que les autorités chargées de la rétention respectent les droits de l’homme ;"),
        (
            "h)",
            "Protéger",
            "et respecter à tout moment les droits et l’intérêt supérieur de l’enfant, quel que soit son statut migratoire, en lui "
            "garantissant toute la gamme des solutions de rechange à la rétention, et œuvrer à mettre fin à la pratique de la "
            "rétention des enfants dans le contexte des migrations internationales ;",
        ),
        ("i)", "Veiller", "à ce que les migrants en rétention aient accès à des soins de santé ;"),
    ),
)


def gcm_fr(items: dict[str, list[str]]) -> Resolution:
    """The GCM in French: the resolution's preamble and two operative paragraphs, then the annex
    with its opening paragraph and paragraphs 1 to 54; objective 13 heads paragraph 29.
    `items`: the sub-item labels of each paragraph of the English version, by section key."""
    body: list = [
        Pp("Rappelant", "sa résolution 71/1 du 19 septembre 2016, par laquelle elle a décidé de convoquer une conférence,"),
        Op(1, "Exprime", "sa profonde gratitude au Gouvernement et au peuple marocains ;"),
        Op(2, "Fait sien", "le Pacte mondial pour des migrations sûres, ordonnées et régulières, annexé à la présente résolution."),
        "Annexe",
        Heading("Pacte mondial pour des migrations sûres, ordonnées et régulières"),
        Pp("Nous,", "chefs d’État et de gouvernement, réunis au Maroc en décembre 2018, avons adopté le présent Pacte :"),
        Heading("Préambule"),
    ]
    for n in range(1, 55):
        if n == 29:
            body += [Heading(OBJECTIVE_13), PARA_29]
        else:
            body.append(_stand_in(n, f"para-{n}", items, "Nous", f"nous engageons à donner effet aux mesures du paragraphe {n} :"))
    return Resolution(
        symbol="A/RES/73/195",
        number="73/195",
        title="Pacte mondial pour des migrations sûres, ordonnées et régulières",
        job="18-22354",
        session="Soixante-treizième session",
        adopted="le 19 décembre 2018",
        report="[sans renvoi à une grande commission (A/73/L.66)]",
        body=body,
        closing=("60e séance plénière", "19 décembre 2018"),
    )
