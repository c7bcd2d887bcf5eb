"""Spurious events on unseen news (issue 14, events precision, round 4). Each test is one class,
on articles composed for the test (none comes from a gold set), read through the real model and
the incident merge (`Enricher.merge` over `Enricher.mentions_of_text`, the gate aside).
"""

from __future__ import annotations

from datetime import datetime

import pytest
from helpers import incidents, mentions

from enrich.pipeline import Enricher
from vigie.core.models import Event

PUBLISHED = datetime.fromisoformat("2025-09-17T10:00:00+02:00")


def described(events: list[Event]) -> list[tuple[str, str, list[int]]]:
    return [(e.sub_event_type, e.trigger, [m.sentence_start for m in e.mentions]) for e in events]


# --- A headline announces the text's incident and names no day of its own ("le lendemain" in
# --- it dates its other news): its violent mention of the type the text gives, by another figure
# --- or another word, folds into the incident the text tells in the same place.


@pytest.mark.parametrize(
    "text",
    [
        # other figures ("six morts" / "cinq civils et un combattant"), another word, the same province
        "Syrie : six morts dans des frappes de drones sur Idleb, manifestation à Damas le lendemain\n\n"
        "BEYROUTH – Cinq civils et un combattant ont été tués lundi lorsque des drones ont bombardé un "
        "marché de Sarmada, dans la province d'Idleb, selon l'Observatoire syrien des droits de l'homme.",
        # a day named in the headline's other clause ("dimanche")
        "Nigeria : vingt villageois tués par des hommes armés dans l'État de Zamfara, deux suspects "
        "arrêtés dimanche\n\n"
        "ABUJA – Dix-huit villageois et deux gardes communautaires ont été tués vendredi lorsque des "
        "bandits ont attaqué le village de Maru, dans l'État de Zamfara, a indiqué la police.",
        # a verb in the headline ("tue"), another in the text ("a frappé"), the same region
        "Ukraine : un drone russe tue deux civils dans la région de Soumy, nouvelle alerte le lendemain\n\n"
        "KIEV – Un homme et sa fille ont été tués jeudi lorsqu'un drone russe a frappé leur voiture près "
        "de Bilopillia, dans la région de Soumy, a indiqué le gouverneur.",
        # no word in common but the region
        "Mali : quatorze civils tués dans un village de la région de Mopti, le gouverneur limogé le "
        "lendemain\n\n"
        "BAMAKO – Douze villageois et deux chasseurs ont été tués samedi lorsque des hommes armés ont "
        "attaqué Ogossagou, dans la région de Mopti, selon des élus locaux.",
        # the same word ("embuscade"), a later toll in the headline
        "Pakistan : onze soldats tués dans une embuscade au Waziristan, un couvre-feu décrété le lendemain\n\n"
        "PESHAWAR – Neuf soldats pakistanais ont été tués lundi dans une embuscade près de Miranshah, dans le "
        "Waziristan du Nord, a annoncé l'armée. Deux autres ont succombé à leurs blessures.",
    ],
)
def test_a_headline_violent_mention_folds_into_the_incident_the_text_tells(
    enricher: Enricher, text: str
) -> None:
    headline_end = text.index("\n")
    found = incidents(enricher, text, PUBLISHED)
    violent = [e for e in found if enricher.extractor.lexicon.is_violent(e.event_type)]
    assert violent, described(found)
    # no violent incident is told by the headline alone
    assert all(any(m.sentence_start > headline_end for m in e.mentions) for e in violent), described(found)


# --- An event noun its participle clause dates in a year ("l'attaque menée en mars 2021", "les
# --- frappes conduites ... en 2018") is another year's event, named as background to the news.


@pytest.mark.parametrize(
    "text",
    [
        "La région reste sous haute surveillance depuis l'attaque menée en mars 2021 par des rebelles "
        "touareg contre la base de Kidal.",
        "Quatre ans après les bombardements effectués par l'aviation russe en 2022 sur Marioupol, les "
        "habitants reconstruisent leurs maisons.",
        "La frontière est fermée depuis l'incursion lancée en août 2024 par l'armée ukrainienne dans la "
        "région de Koursk.",
        "Le camp est resté vide depuis les frappes aériennes conduites par l'aviation saoudienne en 2018 "
        "contre le port de Hodeïda.",
    ],
)
def test_an_event_its_participle_dates_in_a_year_is_background(enricher: Enricher, text: str) -> None:
    found = mentions(enricher, text, PUBLISHED)
    assert not found, described(found)


def test_an_event_its_participle_dates_this_week_stays_news(enricher: Enricher) -> None:
    text = (
        "L'attaque menée lundi par des rebelles touareg contre la base de Kidal a fait dix morts parmi "
        "les soldats maliens, selon l'armée."
    )
    found = mentions(enricher, text, PUBLISHED)
    assert [e.sub_event_type for e in found if enricher.extractor.lexicon.is_violent(e.event_type)], (
        described(found)
    )


# --- The people of the last incident named again with a quoted apposition ("Les assaillants,
# --- « une dizaine d'hommes armés » arrivés en canot, ont pillé le navire") tell that incident
# --- again: the finite verb, not the participle after the quote, is the root of the sentence.


@pytest.mark.parametrize(
    "text",
    [
        "Des pirates ont attaqué lundi un cargo au large de Lagos, selon l'armateur. Les assaillants, "
        "« une dizaine d'hommes armés » arrivés à bord de deux canots, ont pillé le navire avant de s'enfuir.",
        "Des bandits ont attaqué samedi un dépôt de carburant à Maiduguri, selon la police. Les "
        "assaillants, « une vingtaine d'hommes armés » arrivés en pick-up, ont pillé les citernes avant de fuir.",
        "Des miliciens ont attaqué vendredi un centre de santé près de Djugu, selon une ONG. Les "
        "assaillants, « plusieurs dizaines de miliciens » arrivés à l'aube, ont pillé la pharmacie.",
        "Des rebelles ont attaqué mercredi une base de la Minusca près de Bambari, selon l'ONU. Les "
        "assaillants, « une centaine d'hommes armés » venus de la brousse, ont pillé le dépôt de munitions.",
    ],
)
def test_the_assailants_named_again_with_a_quoted_apposition_retell_the_incident(
    enricher: Enricher, text: str
) -> None:
    found = incidents(enricher, text, PUBLISHED)
    assert len(found) == 1, described(found)


# --- The means of a negated verb are negated with it: "n'a pas répliqué par des frappes", "n'a
# --- pas visé les ponts avec des frappes de missiles" report no strike.


@pytest.mark.parametrize(
    "text",
    [
        "L'armée nigériane n'a pas répliqué par des frappes aériennes contre les positions rebelles, "
        "selon un porte-parole.",
        "Les forces ukrainiennes n'ont pas répliqué par des frappes de drones contre la ville de Belgorod, "
        "selon le gouverneur.",
        "L'état-major ukrainien n'a pas ciblé les dépôts russes avec des frappes de missiles près de "
        "Belgorod, assure Kiev.",
        "L'armée russe n'a pas visé les ponts du Dniepr avec des frappes de missiles près de Kherson, "
        "selon l'état-major.",
        "L'armée tchadienne n'a pas détruit le pont de Ngouboua avec des frappes aériennes, selon des "
        "habitants.",
    ],
)
def test_the_means_of_a_negated_verb_are_negated(enricher: Enricher, text: str) -> None:
    found = mentions(enricher, text, PUBLISHED)
    assert not found, described(found)


def test_the_means_of_an_affirmed_verb_stay_news(enricher: Enricher) -> None:
    text = (
        "L'armée israélienne a répliqué lundi par des frappes d'artillerie contre des positions du "
        "Hezbollah près de Kfar Kila."
    )
    assert mentions(enricher, text, PUBLISHED), text
