"""Classes of count errors found on heldout9/heldout10, news the extractor was not tuned on
(issue 14, counts, third series): destroyed figures missed.

Every sentence here was written for this file (none comes from a gold set); the cases marked
in each class fail without the change that covers it, the others guard what must not move.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from helpers import incident_figures

from enrich.pipeline import Enricher

Figures = dict[str, tuple[int, str]]
PUBLISHED = datetime(2025, 11, 4, 9, 0, tzinfo=UTC)


def destroyed(enricher: Enricher, text: str) -> list[tuple[int, str] | None]:
    return [found.get("destroyed") for found in incident_figures(enricher, text, PUBLISHED)]


# ------------------------------------------- whatever a verb of damage takes is a target
# "deux réservoirs ont été détruits", "Deux pick-up ont été détruits" (the tokenizer splits the
# noun): a counted noun outside the list of targets that a verb of damage takes (passive subject
# or object) is destroyed, whatever it is. (Known limit: when the sentencizer also cuts at the
# hyphen, "Deux pick" and "-up ... ont été détruits" are two sentences and nothing is counted.)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (  # fails without
            "Russie : drones sur Novorossiisk\n\nDes drones ukrainiens ont frappé le port de "
            "Novorossiisk dans la nuit et trois cuves de carburant ont été détruites.",
            (3, "exact"),
        ),
        (  # fails without
            "Burkina Faso : attaque contre une mine\n\nDes hommes armés ont attaqué mardi la mine d'or "
            "de Kalsaka. Cinq bulldozers ont été incendiés, selon une source sécuritaire.",
            (5, "exact"),
        ),
        (  # fails without
            "Nigeria : raid jihadiste sur Baga\n\nDes combattants de l'Iswap ont attaqué Baga "
            "vendredi ; ils ont incendié douze pirogues de pêcheurs sur la rive du lac.",
            (12, "exact"),
        ),
        (  # fails without
            "Mali : embuscade près de Boni\n\nL'armée malienne a été attaquée près de Boni mardi. "
            "Deux pick-up ont été incendiés lors des combats, selon l'état-major.",
            (2, "exact"),
        ),
        (  # fails without
            "Niger : attaque à Tillabéri\n\nDes jihadistes ont attaqué une patrouille près de "
            "Tillabéri ; l'armée affirme que quatre pick-up ont été détruits.",
            (4, "exact"),
        ),
        (  # fails without
            "Soudan : frappe sur Port-Soudan\n\nUn drone a frappé le dépôt pétrolier de Port-Soudan "
            "samedi. Quatre réservoirs ont été endommagés par l'incendie.",
            (4, "exact"),
        ),
    ],
)
def test_what_a_verb_of_damage_takes_is_destroyed(
    enricher: Enricher, text: str, expected: tuple[int, str]
) -> None:
    assert expected in destroyed(enricher, text)


# --------------------------------------- a passive subject parsed as a plain subject
# "Un immeuble a été en partie détruit": the parser hangs the noun as nsubj of a verb with a
# passive auxiliary; it is the passive subject, one target destroyed.


@pytest.mark.parametrize(
    "text",
    [
        "Ukraine : frappe sur Kherson\n\nUn missile russe a frappé Kherson lundi. Une école a été en "
        "partie détruite.",
        "Ukraine : frappe sur Kryvyi Rih\n\nDes missiles russes ont frappé Kryvyi Rih mardi. Un "
        "immeuble a été en partie détruit.",
        "Liban : frappe sur Tyr\n\nUne frappe israélienne a visé Tyr mercredi. Un entrepôt a été en "
        "grande partie détruit.",
        "Syrie : bombardement à Idleb\n\nL'aviation a bombardé Idleb jeudi. Un hôpital a été en "
        "partie endommagé.",
    ],
)
def test_a_passive_subject_parsed_as_subject(enricher: Enricher, text: str) -> None:
    assert (1, "exact") in destroyed(enricher, text)


# ------------------------------------------------------------- equipment a side lost
# "l'ennemi a perdu deux blindés": equipment named as what a side lost was destroyed; ground it
# lost is not ("a perdu deux villages").


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (  # fails without
            "Ukraine : assauts près de Koupiansk\n\nLes forces russes ont attaqué près de Koupiansk, "
            "où l'ennemi a perdu deux chars, selon la brigade ukrainienne.",
            (2, "exact"),
        ),
        (  # fails without
            "Soudan : combats à El-Obeid\n\nLes Forces de soutien rapide ont attaqué El-Obeid jeudi. "
            "Selon l'armée, elles ont perdu sept véhicules lors des combats.",
            (7, "exact"),
        ),
        (  # fails without
            "Mali : attaque à Tessalit\n\nDes jihadistes ont attaqué le camp de Tessalit. L'armée a "
            "reconnu avoir perdu trois blindés au cours de l'assaut.",
            (3, "exact"),
        ),
        (  # fails without
            "Ukraine : assaut près de Pokrovsk\n\nLes forces russes ont attaqué près de Pokrovsk. "
            "L'assaut a coûté à Moscou une dizaine de blindés perdus, selon Kiev.",
            (10, "approx"),
        ),
    ],
)
def test_equipment_a_side_lost_was_destroyed(
    enricher: Enricher, text: str, expected: tuple[int, str]
) -> None:
    assert expected in destroyed(enricher, text)


@pytest.mark.parametrize(
    "text",
    [
        "Ukraine : offensive près de Koupiansk\n\nLes forces russes ont attaqué près de Koupiansk. "
        "L'armée ukrainienne a perdu deux villages au cours de l'offensive.",
        "Soudan : combats au Darfour\n\nLes Forces de soutien rapide ont attaqué El-Fasher. "
        "L'armée n'a perdu aucun véhicule, selon un porte-parole.",
    ],
)
def test_ground_a_side_lost_is_no_damage(enricher: Enricher, text: str) -> None:
    assert all(found is None for found in destroyed(enricher, text))


@pytest.mark.parametrize(
    "text",
    [
        "Niger : blocus sur la route de Niamey\n\nDes jihadistes ont attaqué un convoi près de Téra. "
        "Plus d'une cinquantaine de camions-citernes ont été incendiés depuis le début du blocus.",
        "Ukraine : frappe sur Kharkiv\n\nUn missile a frappé Kharkiv lundi. Quelque 400 réservoirs "
        "ont été détruits depuis le début de la guerre, selon l'opérateur.",
    ],
)
def test_a_cumulative_damage_figure_stays_background(enricher: Enricher, text: str) -> None:
    assert all(found is None for found in destroyed(enricher, text))
