"""Incidents as the unit (issue 14): the mentions of one happening in one article are one
stored event, every mention kept as evidence; headlines are read for events; the article gets
a casualty figure summed over its distinct incidents. Sentences written for these tests."""

from __future__ import annotations

from datetime import UTC, datetime

from enrich.events.merge import best_report
from enrich.pipeline import Enricher
from vigie.core.models import Article, Event, Quantity, stable_id


def article(text: str, title: str = "") -> Article:
    return Article(
        id=stable_id("incident-test", title, text),
        url="https://example.org/a",
        original_url="https://example.org/a",
        feed="test",
        source="test",
        title=title,
        text=text,
        published=datetime(2025, 6, 14, 9, 0, tzinfo=UTC),
        language="fr",
    )


def enrich(enricher: Enricher, text: str, title: str = "") -> tuple[Article, list[Event]]:
    item = article(text, title)
    return item, enricher.enrich([item])


def of_type(events: list[Event], sub_type: str) -> list[Event]:
    return [e for e in events if e.sub_event_type == sub_type]


def test_a_figure_repeated_in_bullet_points_is_one_incident_counted_once(enricher: Enricher) -> None:
    text = (
        "La défense aérienne russe a abattu 58 drones ukrainiens dans la nuit de vendredi à samedi "
        "au-dessus des régions de Belgorod et de Koursk.\n\n"
        "Ce qu'il faut retenir :\n"
        "• 25 drones abattus au-dessus de la région de Belgorod\n"
        "• 33 drones abattus au-dessus de la région de Koursk\n"
    )
    _, events = enrich(enricher, text)
    (raid,) = of_type(events, "Air/drone strike")
    assert raid.intercepted is not None and raid.intercepted.value == 58
    assert raid.mention_count == len(raid.mentions) == 3
    assert [m.sentence_start for m in raid.mentions] == sorted(m.sentence_start for m in raid.mentions)
    for mention in raid.mentions:
        assert text[mention.sentence_start : mention.sentence_end] == mention.sentence
    # What a dashboard sums over the stored events:
    assert sum(e.intercepted.value for e in events if e.intercepted) == 58


def test_incompatible_parties_stay_two_incidents(enricher: Enricher) -> None:
    text = (
        "Des drones ukrainiens ont frappé la région de Briansk dans la nuit, selon Moscou, qui dit en "
        "avoir abattu 40. La même nuit, des drones russes ont frappé Kharkiv, où 75 ont été abattus, "
        "a indiqué l'armée de l'air ukrainienne."
    )
    _, events = enrich(enricher, text)
    raids = of_type(events, "Air/drone strike")
    assert len(raids) == 2
    assert {e.target.id for e in raids if e.target} == {"russie", "ukraine"}


def test_a_fact_stated_only_in_the_headline_becomes_an_event(enricher: Enricher) -> None:
    title = "Frappe de drone sur un marché de Kherson : au moins neuf morts"
    text = (
        "Les secours fouillaient encore les décombres samedi matin. Le maire a décrété trois jours "
        "de deuil et les écoles resteront fermées lundi."
    )
    item, events = enrich(enricher, text, title)
    (strike,) = of_type(events, "Air/drone strike")
    assert strike.killed is not None and strike.killed.value == 9
    assert [m.in_title for m in strike.mentions] == [True]
    assert strike.mentions[0].sentence == title
    assert item.casualties is not None and item.casualties.killed == 9


def test_a_headline_and_the_text_reporting_one_incident_fold_together(enricher: Enricher) -> None:
    title = "Ukraine : l'armée de l'air a abattu 48 drones russes dans la nuit"
    text = "L'armée de l'air ukrainienne a abattu 48 drones russes dans la nuit de vendredi à samedi."
    _, events = enrich(enricher, text, title)
    (raid,) = of_type(events, "Air/drone strike")
    assert sorted(m.in_title for m in raid.mentions) == [False, True]
    assert raid.intercepted is not None and raid.intercepted.value == 48


def test_the_casualty_figure_sums_distinct_incidents_and_tells_civilians(enricher: Enricher) -> None:
    text = (
        "Une frappe de missile russe a tué cinq civils à Dnipro mardi, a annoncé le gouverneur. "
        "Plus tard dans la journée, des hommes armés ont attaqué un village près de Kidal et tué "
        "sept villageois, selon des sources locales."
    )
    item, events = enrich(enricher, text)
    assert item.casualties is not None
    killed = sum(e.killed.value for e in events if e.killed)
    assert item.casualties.killed == killed >= 5


def test_an_article_without_a_toll_has_no_casualty_figure(enricher: Enricher) -> None:
    item, _ = enrich(enricher, "Les ministres des Affaires étrangères se réuniront jeudi à Genève.")
    assert item.casualties is None


def test_a_revised_toll_replaces_the_earlier_report() -> None:
    first = Quantity(value=12, qualifier="at_least", text="au moins 12 morts")
    revised = Quantity(value=9, qualifier="exact", text="le bilan a été revu à 9 morts", revised=True)
    higher = Quantity(value=15, text="15 morts")
    assert best_report(first, revised) == revised
    assert best_report(revised, higher) == revised  # an unrevised report does not undo a revision
    assert best_report(first, higher) == higher  # otherwise tolls only rise
    assert best_report(None, first) == first


def test_folding_incidents_again_changes_nothing(enricher: Enricher) -> None:
    text = (
        "Des drones russes ont frappé Odessa dans la nuit, blessant quatre personnes. "
        "Selon le gouverneur, 19 drones ont été abattus au-dessus de la région d'Odessa."
    )
    _, events = enrich(enricher, text)
    again = enricher.merge(events)
    assert [e.model_dump() for e in again] == [e.model_dump() for e in events]


def test_a_toll_revised_on_a_later_day_stays_with_its_attack(enricher: Enricher) -> None:
    text = (
        "Des hommes armés ont attaqué le marché de Koro mercredi, tuant au moins 14 personnes, selon "
        "la mairie. Le bilan s'est alourdi vendredi à 31 morts, a indiqué le gouverneur de la région."
    )
    _, events = enrich(enricher, text)
    violent = [e for e in events if e.killed is not None]
    assert len(violent) == 1 and violent[0].killed is not None and violent[0].killed.value == 31


def test_mentions_naming_weapons_of_different_groups_are_two_incidents(enricher: Enricher) -> None:
    _, events = enrich(
        enricher,
        "Des bombes aériennes guidées russes ont frappé samedi un centre commercial de Zaporijjia, "
        "faisant cinq morts. La veille, des drones russes avaient visé la ville d'Izioum, blessant "
        "deux personnes.",
    )
    strikes = of_type(events, "Air/drone strike")
    assert len(strikes) == 2
    assert sorted(s.killed.value if s.killed else 0 for s in strikes) == [0, 5]


def test_a_claim_dated_another_day_stays_with_the_attack_it_claims(enricher: Enricher) -> None:
    _, events = enrich(
        enricher,
        "Des jihadistes ont attaqué lundi un poste de gendarmerie près de Dori, tuant huit gendarmes. "
        "L'attaque a été revendiquée jeudi par le JNIM.",
    )
    clashes = of_type(events, "Armed clash")
    assert len(clashes) == 1
    assert clashes[0].actor is not None and clashes[0].actor.id == "jnim"
    assert clashes[0].event_date is not None and clashes[0].event_date.isoformat() == "2025-06-09"


def test_the_day_of_publication_stated_is_not_the_day_before(enricher: Enricher) -> None:
    # Published on a Saturday: "samedi" is stated, "la veille au soir" is Friday.
    _, events = enrich(
        enricher,
        "Samedi, une frappe israélienne a tué trois personnes à Tyr. "
        "La veille au soir, une autre frappe israélienne avait visé une voiture près de Nabatiyé.",
    )
    assert sorted(e.event_date.isoformat() for e in of_type(events, "Air/drone strike") if e.event_date) == [
        "2025-06-13",
        "2025-06-14",
    ]


def test_the_day_a_claim_is_made_is_not_the_day_of_the_attack_it_claims(enricher: Enricher) -> None:
    # Published on a Saturday: the claim is Saturday's, the launch Friday's.
    _, events = enrich(
        enricher,
        "Les rebelles houthis ont revendiqué samedi une attaque de drones contre un pétrolier au large "
        "d'Aden. Selon l'UKMTO, quatre drones ont été lancés vendredi soir contre le navire.",
    )
    strikes = of_type(events, "Air/drone strike")
    assert len(strikes) == 1
    assert strikes[0].event_date is not None and strikes[0].event_date.isoformat() == "2025-06-13"
    assert strikes[0].launched is not None and strikes[0].launched.value == 4
