"""What a number counts (issue 14, counts, item 3): classes found on heldout13/14 and written
again here on sentences composed for this file (none comes from a gold set). Each case marked
"fails without" fails without the change that covers its class; the guards mark what must not
move.

- a toll stated as a change between two figures ("est passé de 12 à 19 morts", "a été revu de
  onze à huit"): the second figure is the count, revised; the first is none;
- none of the projectiles shot down ("aucun des missiles n'a été intercepté"): intercepted 0;
- deaths told by the bodies ("les corps de trois d'entre eux"), by a hit and its manner
  ("mortellement atteints", "grièvement touchés"), one more joined after a comma ("ainsi qu'un
  passant");
- damage: one more target joined after a comma ("ainsi que deux grues"), a target that
  "a subi des dégâts", an aircraft hit ("touché par des tirs"), a singular noun ending in -s
  ("le bus");
- people taken or missing beside a toll ("neuf capturés") are no toll.
"""

from __future__ import annotations

import pytest
from helpers import mention_figures, mentions, slot_values

from enrich.pipeline import Enricher


def revised(enricher: Enricher, text: str, slot: str) -> list[tuple[int, str, bool]]:
    return [
        (q.value, q.qualifier, q.revised)
        for event in mentions(enricher, text)
        if (q := getattr(event, slot)) is not None
    ]


# ------------------------------------------------------- a change between two figures


@pytest.mark.parametrize(
    ("text", "slot", "expected"),
    [
        (  # fails without: digits, "passer de X à Y" before the noun
            "Le bilan de l'attentat contre l'hôtel de Mogadiscio est passé de 9 à 14 morts mercredi soir.",
            "killed",
            (14, "exact", True),
        ),
        (  # fails without: number words, passive "revu"
            "Le bilan des frappes sur Kramatorsk a été revu de huit à onze morts par les autorités.",
            "killed",
            (11, "exact", True),
        ),
        (  # guard (held before): a lower second figure
            "Le bilan des frappes sur Kramatorsk a été revu de onze à huit morts par les autorités.",
            "killed",
            (8, "exact", True),
        ),
        (  # fails without: victims with no noun after the figures
            "Selon la protection civile, le nombre de victimes de l'explosion de Kaboul est passé de "
            "quatre à sept dans la nuit.",
            "killed",
            (7, "exact", True),
        ),
        (  # fails without: the wounded, the participle in an aside
            "Le nombre de blessés de l'attaque du camp de Goma, passé de 20 à 35 dans la nuit, pourrait "
            "encore augmenter.",
            "injured",
            (35, "exact", True),
        ),
        (  # fails without: a time phrase set off between the two figures
            "Après l'attaque du camp de Kalma, le nombre de morts est passé de neuf, lundi soir, à "
            "quatorze mardi, après la découverte de cinq corps.",
            "killed",
            (14, "exact", True),
        ),
        (  # fails without: the noun after the first figure, a bare "bilan"
            "Le bilan du bombardement de Khan Younès est passé de 6 morts à 10 mercredi.",
            "killed",
            (10, "exact", True),
        ),
        (  # fails without: an adverb between the verb and the figures
            "À Port-Soudan, le bilan est ainsi passé de trois à cinq tués après la frappe de drone.",
            "killed",
            (5, "exact", True),
        ),
    ],
)
def test_a_change_between_two_figures_counts_the_second(
    enricher: Enricher, text: str, slot: str, expected: tuple[int, str, bool]
) -> None:
    assert revised(enricher, text, slot) == [expected]


def test_wounded_who_died_in_a_change_are_no_injured(enricher: Enricher) -> None:
    # fails without: "le décès de deux blessés" counts dead already in the toll, not wounded
    text = (
        "Le bilan de l'attaque de Bunia est passé de cinq à sept morts mardi, après le décès de deux "
        "blessés à l'hôpital."
    )
    found = mention_figures(enricher, text)
    assert slot_values(found, "killed") == [(7, "exact")]
    assert slot_values(found, "injured") == []


def test_a_range_after_another_verb_stays_a_range(enricher: Enricher) -> None:
    # guard: "de 20 à 30 morts" after a verb of no change is a range, its lower bound at least
    text = "L'attaque du marché de Maiduguri a fait de 20 à 30 morts, selon des sources locales."
    assert slot_values(mention_figures(enricher, text), "killed") == [(20, "at_least")]


# ------------------------------------------------------- none shot down


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (  # fails without: "aucun des" coordinated with the drones shot down
            "La défense aérienne dit avoir abattu 25 drones au-dessus de Dnipro, mais aucun des "
            "missiles balistiques.",
            [(25, "exact"), (0, "exact")],
        ),
        (  # fails without: a modal, a number inside "aucun des quatre", after the salvo
            "La Russie a tiré mardi quatre missiles sur Dnipro. Aucun des quatre missiles n'a pu être "
            "intercepté, selon l'armée de l'air.",
            [(0, "exact")],
        ),
        (  # fails without: the noun understood after "dont aucun"
            "L'armée russe a lancé six missiles Kalibr sur Odessa, dont aucun n'a été abattu.",
            [(0, "exact")],
        ),
        (  # fails without: feminine, rockets, passive
            "Aucune des roquettes tirées depuis le sud du Liban n'a été interceptée, selon l'armée israélienne.",
            [(0, "exact")],
        ),
        (  # fails without: "aucun" as the determiner of the noun
            "Aucun missile de croisière n'a été abattu lors de l'attaque contre Lviv, selon la mairie.",
            [(0, "exact")],
        ),
    ],
)
def test_none_shot_down_is_zero_intercepted(
    enricher: Enricher, text: str, expected: list[tuple[int, str]]
) -> None:
    assert sorted(slot_values(mention_figures(enricher, text), "intercepted"), reverse=True) == expected


def test_the_salvo_none_of_which_was_shot_down_was_fired(enricher: Enricher) -> None:
    # fails without: "mais aucun des quatre missiles" read as four missiles shot down
    text = "La défense aérienne a intercepté 30 drones au-dessus de Kiev, mais aucun des quatre missiles balistiques."
    found = mention_figures(enricher, text)
    assert (4, "exact") not in slot_values(found, "intercepted")
    assert (34, "exact") not in slot_values(found, "intercepted")


@pytest.mark.parametrize(
    ("text", "slot"),
    [
        # guard: no victim is no figure (unset, not 0)
        (
            "Aucune victime n'a été signalée après la frappe de drones sur Soumy, selon le gouverneur.",
            "killed",
        ),
        # guard: a drone that reached no target was not shot down for that
        ("Aucun drone n'a atteint sa cible lors de l'attaque contre Belgorod, selon Moscou.", "intercepted"),
    ],
)
def test_none_of_something_else_is_no_zero(enricher: Enricher, text: str, slot: str) -> None:
    assert slot_values(mention_figures(enricher, text), slot) == []


# ------------------------------------------------------- deaths: bodies, hits, one more


@pytest.mark.parametrize(
    ("text", "slot", "expected"),
    [
        (  # fails without: the bodies of some of the people named before
            "Des hommes armés ont attaqué dimanche un site d'orpaillage près de Kidal. Les corps de "
            "quatre d'entre eux ont été retrouvés mardi dans une mine abandonnée.",
            "killed",
            (4, "exact"),
        ),
        (  # fails without: remains, a counted noun after them
            "Les dépouilles de cinq pêcheurs ont été repêchées jeudi dans le lac Tchad après l'attaque "
            "de leur campement.",
            "killed",
            (5, "exact"),
        ),
        (  # fails without: a hit whose manner says it killed
            "Deux gendarmes ont été mortellement atteints par des tirs lors de l'attaque d'un poste près de Djibo.",
            "killed",
            (2, "exact"),
        ),
        (  # fails without: a hit whose manner says it wounded
            "Trois soldats ont été grièvement touchés par des éclats d'obus à Pokrovsk, selon la brigade.",
            "injured",
            (3, "exact"),
        ),
        (  # guard (held before): one more joined after a comma
            "Deux policiers ont été tués, ainsi qu'un passant, lors de l'attaque d'un commissariat à Quetta.",
            "killed",
            (3, "exact"),
        ),
        (  # guard (held before): "de même que", the wounded
            "Quatre secouristes ont été blessés dans la frappe sur Kherson, de même que deux journalistes.",
            "injured",
            (6, "exact"),
        ),
    ],
)
def test_deaths_and_wounds_told_otherwise(
    enricher: Enricher, text: str, slot: str, expected: tuple[int, str]
) -> None:
    assert slot_values(mention_figures(enricher, text), slot) == [expected]


@pytest.mark.parametrize(
    "text",
    [
        # guard: bodies returned in an exchange are the dead of earlier days
        "Israël a restitué mardi les corps de douze Palestiniens au Comité international de la Croix-Rouge. "
        "Une frappe a visé mercredi un camp de Rafah.",
        # guard: a body handed over
        "Le Hamas a remis jeudi la dépouille d'un otage à la Croix-Rouge, après une frappe sur Gaza.",
    ],
)
def test_bodies_handed_over_are_no_toll(enricher: Enricher, text: str) -> None:
    assert slot_values(mention_figures(enricher, text), "killed") == []


@pytest.mark.parametrize(
    "text",
    [
        # fails without: the captured read as more dead of the verb before them
        "« Neuf insurgés ont été abattus et quatre capturés », a affirmé l'armée nigériane à Maiduguri.",
        # fails without: the missing are no dead
        "L'attaque du village de Solenzo a fait neuf morts et trois disparus, selon un élu local.",
    ],
)
def test_people_taken_or_missing_are_no_toll(enricher: Enricher, text: str) -> None:
    assert slot_values(mention_figures(enricher, text), "killed") == [(9, "exact")]


# ------------------------------------------------------- damage


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (  # fails without: "ainsi que" after the passive of damage, cranes
            "Un pétrolier a été endommagé dans le port d'Odessa, ainsi que trois grues du terminal.",
            (4, "exact"),
        ),
        (  # guard (held before): "de même que", a singular target named first
            "L'école du village a été détruite par la frappe, de même que deux maisons voisines.",
            (3, "exact"),
        ),
        (  # fails without: "subir des dégâts"
            "Trois immeubles ont subi d'importants dégâts lors du bombardement de Kharkiv mardi soir.",
            (3, "exact"),
        ),
        (  # fails without: "essuyer des dommages", coordinated with a destroyed target
            "Un hangar a été détruit à Koulbakino et deux avions ont essuyé des dommages, selon l'armée.",
            (3, "exact"),
        ),
        (  # fails without: an aircraft hit
            "Un hélicoptère de l'armée malienne a été touché par des tirs près de Gao avant de se poser en urgence.",
            (1, "exact"),
        ),
        (  # fails without: a singular noun ending in -s, a long aside
            "Un drone russe a frappé mardi un bus près de Kramatorsk. Le bus, qui transportait des "
            "ouvriers vers la mine située à une vingtaine de kilomètres de la ville, a été entièrement "
            "détruit.",
            (1, "exact"),
        ),
        (  # fails without: an office set on fire, named in the singular
            "Des manifestants ont incendié mardi soir le siège du parti au pouvoir à Kisumu.",
            (1, "exact"),
        ),
    ],
)
def test_damage_told_otherwise(enricher: Enricher, text: str, expected: tuple[int, str]) -> None:
    assert slot_values(mention_figures(enricher, text), "destroyed") == [expected]


@pytest.mark.parametrize(
    "text",
    [
        # guard: damage denied
        "Deux maisons n'ont subi aucun dégât lors de la frappe sur Zaporijjia, selon la mairie.",
        # guard: an aircraft that reached a place was not hit
        "Un avion de l'armée de l'air a atteint Kaboul mardi avec des vivres pour les sinistrés.",
        # guard: a population after "ainsi que" is no damage
        "Une école a été détruite à Lyman, ainsi que 40 000 habitants privés d'eau.",
    ],
)
def test_no_damage_where_none_is_told(enricher: Enricher, text: str) -> None:
    found = slot_values(mention_figures(enricher, text), "destroyed")
    assert all(value <= 1 for value, _ in found)
