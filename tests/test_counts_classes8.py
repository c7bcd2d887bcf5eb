"""What a number counts (round 12, counts): a class found on heldout19-20 and written again here
on sentences composed for this file (none comes from a gold set). Each case marked "fails
without" fails without the change that covers its class; the guards mark what must not move.

- a toll told in the pluperfect during a past episode named as such ("pendant la répression de
  ce soulèvement", "lors de la révolution", "durant l'insurrection": quantities.yaml
  past_episode_nouns after past_episode_prepositions) is background, not the incident's; a
  toll in the passé composé during one ("ont été tués pendant la révolte d'une garnison"), or
  in the pluperfect during a moment of the day ("lors de l'attaque de lundi"), stays.
"""

from __future__ import annotations

import pytest
from helpers import mention_figures, slot_values

from enrich.pipeline import Enricher


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (  # fails without: "pendant la révolte", pluperfect
            "Mercredi, deux manifestants ont été tués par la police à Conakry. Plus de 300 personnes "
            "avaient péri pendant la révolte, selon une commission d'enquête.",
            [(2, "exact")],
        ),
        (  # fails without: "lors de la révolution", fronted
            "Samedi, un policier a été tué lors d'affrontements à Bamako. Lors de la révolution, quelque "
            "200 personnes avaient été tuées par les forces de l'ordre.",
            [(1, "exact")],
        ),
        (  # fails without: "durant l'insurrection"
            "Vendredi, cinq villageois ont été tués dans une attaque près de Djibo. Environ 3 000 civils "
            "avaient été tués durant l'insurrection, selon une ONG.",
            [(5, "exact")],
        ),
        (  # fails without: "au cours de la répression de ce mouvement", the episode in the complement
            "Jeudi, des policiers ont abattu trois manifestants à Nairobi. Au cours de la répression de "
            "ce mouvement, une soixantaine de personnes avaient été tuées, selon Amnesty International.",
            [(3, "exact")],
        ),
        (  # guard: passé composé, the revolt is the incident
            "Mercredi, cinq soldats ont été tués pendant la révolte d'une garnison à Lomé.",
            [(5, "exact")],
        ),
        (  # guard: pluperfect, but the moment is an attack of the day
            "Lors de l'attaque de lundi, des hommes armés avaient tué huit personnes à Kidal.",
            [(8, "exact")],
        ),
        (  # guard: pluperfect during the night
            "Pendant la nuit, quatre civils avaient été tués par des obus à Kherson.",
            [(4, "exact")],
        ),
    ],
)
def test_toll_of_a_past_episode(enricher: Enricher, text: str, expected: list[tuple[int, str]]) -> None:
    assert slot_values(mention_figures(enricher, text), "killed") == expected
