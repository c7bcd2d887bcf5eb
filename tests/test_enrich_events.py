"""Conflict events with the real model: types, modality, parties, slots, ids, merging."""

from __future__ import annotations

import pytest
from helpers import french_article, mentions

from enrich.events import merge_mentions
from enrich.kb import default_kb
from enrich.pipeline import Enricher
from vigie.core.models import Event, stable_id


def kinds(events: list[Event]) -> set[str]:
    return {e.sub_event_type for e in events}


def test_interception_sentence_is_a_strike_on_the_interceptor(enricher: Enricher) -> None:
    text = (
        "La Russie a abattu 337 drones, dont 91 uniquement dans la région de Moscou, "
        "dans la nuit de lundi à mardi a indiqué le ministère de la Défense russe dans un communiqué."
    )
    (event,) = mentions(enricher, text)
    assert (event.event_type, event.sub_event_type) == ("Explosions/Remote violence", "Air/drone strike")
    assert event.target is not None and event.target.id == "russie"
    assert event.actor is None  # the launcher is not named in this sentence
    assert (event.intercepted.value, event.intercepted.qualifier) == (337, "exact")
    assert event.weapons == ["drone"]
    assert str(event.event_date) == "2025-03-11"


def test_light_verb_subject_is_the_actor_and_places_are_resolved(enricher: Enricher) -> None:
    text = "Le 11 mars 2025, l’Ukraine a mené la plus grande attaque de drones contre Moscou, avec plus de 390 drones."
    (event,) = mentions(enricher, text)
    assert event.actor.id == "ukraine" and event.target.id == "russie"
    assert [p.id for p in event.places] == ["moscou"]
    assert event.location is not None and round(event.location.lat) == 56
    assert (event.launched.value, event.launched.qualifier) == (390, "at_least")


def test_demonyms_name_the_attacker(enricher: Enricher) -> None:
    text = (
        "Selon des données recueillies par Bloomberg, le nombre de frappes russes par drones et missiles "
        "a augmenté d’environ 46 % un mois après la rencontre Trump-Poutine."
    )
    (event,) = [e for e in mentions(enricher, text) if e.event_type != "Interaction"]
    assert event.actor.id == "russie"
    assert event.weapons == ["drone", "missile"]
    assert event.sub_event_type == "Air/drone strike"  # drones take precedence over missiles


def test_weapon_class_picks_the_sub_type(enricher: Enricher) -> None:
    (event,) = mentions(enricher, "Un missile Iskander-M russe a frappé une centrale électrique à Kharkiv.")
    assert event.sub_event_type == "Shelling/artillery/missile attack"
    assert event.weapons == ["iskander-m"]
    assert [p.id for p in event.places] == ["kharkiv"]


@pytest.mark.parametrize(
    "text",
    [
        "Trump encourage Zelensky à frapper la Russie.",  # asked for, not done
        "La Russie pourrait intensifier ses frappes en Ukraine.",  # hypothetical
        "Cette frappe massive aurait-elle pour but de créer un levier ?",  # a question
        "L’Ukraine n’a pas attaqué la Russie cette nuit.",  # negated
        "Moscou menace d’une première frappe nucléaire contre l’OTAN.",  # threatened
        "Intensifier ses frappes en Ukraine pour répondre à cette attaque directe sur Moscou.",  # scenario
        "La grêle a frappé les vignes de Bourgogne.",  # no weapon, no party: not a strike
    ],
)
def test_unreported_violence_is_not_an_event(enricher: Enricher, text: str) -> None:
    violent = [e for e in mentions(enricher, text) if e.event_type != "Interaction"]
    assert violent == []


def test_interactions(enricher: Enricher) -> None:
    threat = mentions(enricher, "Moscou menace d’une première frappe nucléaire contre l’OTAN.")
    assert [(e.sub_event_type, e.actor.id, e.target.id) for e in threat] == [("THREATEN", "russie", "otan")]
    request = mentions(enricher, "Trump encourage Zelensky à frapper la Russie.")
    assert [(e.sub_event_type, e.actor.id, e.target.id) for e in request] == [
        ("REQUEST", "donald-trump", "volodymyr-zelensky")
    ]
    talks = mentions(
        enricher,
        "Les délégations ukrainienne et américaine doivent se rencontrer en Arabie Saoudite, ce mardi 11 mars.",
    )
    assert [(e.sub_event_type, e.interaction) for e in talks] == [("CONSULT", "CONSULT")]
    assert {talks[0].actor.id, talks[0].target.id} == {"ukraine", "etats-unis"}
    assert [p.id for p in talks[0].places] == ["arabie-saoudite"]
    aid = mentions(enricher, "L’Ukraine utilise déjà les missiles Atacms fournis par les États-Unis.")
    assert [(e.sub_event_type, e.actor.id, e.target.id, e.weapons) for e in aid] == [
        ("AID", "etats-unis", "ukraine", ["atacms"])
    ]


def test_a_meeting_needs_a_named_party(enricher: Enricher) -> None:
    assert mentions(enricher, "Les négociations de cessez-le-feu devaient débuter.") == []


def test_event_id_and_offsets(enricher: Enricher) -> None:
    text = "Titre du direct\n\nLes frappes ont fait deux morts à Kiev. L’Ukraine a mené une attaque contre Moscou."
    item = french_article(text)
    events = enricher.analyse_text(text, item).events
    assert len(events) == 2
    for event in events:
        assert event.id == stable_id(item.id, event.sub_event_type, str(event.sentence_start))
        assert text[event.sentence_start : event.sentence_end] == event.sentence
        assert event.article_id == item.id and event.story_id is None


def test_a_toll_continues_the_previous_event_and_merges(enricher: Enricher) -> None:
    text = (
        "L'Ukraine a lancé une attaque de drones sur la région de Moscou. "
        "Les frappes ont fait deux morts et des dizaines de blessés. "
        "Nous avons recensé un mort et trois blessés à Domodedovo."
    )
    found = mentions(enricher, text)
    assert len(found) == 3 and kinds(found) == {"Air/drone strike"}
    (event,) = merge_mentions(found, default_kb())
    assert event.actor.id == "ukraine" and event.target.id == "russie"
    assert (event.killed.value, event.injured.value, event.injured.qualifier) == (2, 20, "at_least")
    assert {p.id for p in event.places} == {"oblast-de-moscou", "domodedovo"}


def test_incompatible_parties_stay_separate_events(enricher: Enricher) -> None:
    text = "L’Ukraine a frappé Moscou avec des drones. La Russie a frappé Kiev avec des drones."
    merged = merge_mentions(mentions(enricher, text), default_kb())
    assert sorted((e.actor.id, e.target.id) for e in merged) == [("russie", "ukraine"), ("ukraine", "russie")]


def test_old_events_are_background(enricher: Enricher) -> None:
    text = "Le 7 octobre 2023, le Hamas a attaqué Israël."
    assert mentions(enricher, text) == []
    recent = mentions(enricher, "Le 7 mars 2025, le Hamas a attaqué Israël.")
    assert [e.actor.id for e in recent] == ["hamas"]
