"""Error classes of the events read on heldout5 and heldout6 as dev sets (issue 14): news
outside Russia-Ukraine (armed groups, militias, villages attacked, threats, running totals).
Each test is one class, on sentences composed for the test (none comes from a gold set), read
through `Enricher.mentions_of_text` with the real model.
"""

from __future__ import annotations

from datetime import datetime

import pytest
from extraction import types
from helpers import mentions, triggered

from enrich.pipeline import Enricher

PUBLISHED = datetime.fromisoformat("2025-09-17T10:00:00+02:00")


# --- A count given since a recent day is a running total, not one event.


@pytest.mark.parametrize(
    "text",
    [
        "Depuis lundi, l'armée de l'air ukrainienne affirme avoir intercepté plus de 200 missiles russes.",
        "Depuis samedi, les forces russes ont lancé près de 900 drones contre des villes ukrainiennes.",
        "Depuis mercredi, l'armée soudanaise a tiré une centaine de roquettes sur Omdurman.",
    ],
)
def test_a_count_since_a_recent_day_is_a_running_total(enricher: Enricher, text: str) -> None:
    assert mentions(enricher, text, PUBLISHED) == []


def test_an_event_since_a_day_without_a_count_is_news(enricher: Enricher) -> None:
    text = "Depuis dimanche, des combats opposent l'armée aux rebelles près de Goma."
    assert ("Battles", "Armed clash") in types(mentions(enricher, text, PUBLISHED))
    dated = "Lundi, l'armée de l'air a intercepté plus de 200 missiles au-dessus de Kiev."
    assert mentions(enricher, dated, PUBLISHED)


# --- Shelling names its means: the article's drones do not type it.


@pytest.mark.parametrize(
    ("text", "word"),
    [
        (
            "Un drone a frappé un convoi près de Gao. Le lendemain, les rebelles ont pilonné le camp "
            "militaire de Tessit.",
            "pilonné",
        ),
        (
            "Des drones ont visé Kharkiv dans la nuit. Dans la soirée, l'armée a pilonné les positions "
            "ennemies près d'Izioum.",
            "pilonné",
        ),
        (
            "Un drone turc a tué deux combattants du PKK. Mardi, les abords de Qandil ont été "
            "pilonnés par l'armée iranienne.",
            "pilonnés",
        ),
    ],
)
def test_shelling_is_not_typed_by_the_articles_drones(enricher: Enricher, text: str, word: str) -> None:
    shelling = triggered(mentions(enricher, text, PUBLISHED), word)
    assert shelling.sub_event_type == "Shelling/artillery/missile attack"


# --- A ground attack on a settlement is an attack on civilians, whoever carries it out.


@pytest.mark.parametrize(
    ("text", "word"),
    [
        (
            "Un drone de l'armée a frappé un marché à Kidal. Des jihadistes ont ensuite attaqué le "
            "village de Tinzaouatène.",
            "attaqué",
        ),
        ("Dans la nuit, des miliciens ont assailli un hameau isolé du territoire de Djugu.", "assailli"),
        (
            "Des rebelles ont lancé mardi une attaque contre plusieurs villages de la province d'Ituri.",
            "attaque",
        ),
        ("Des colons armés attaquent des maisons palestiniennes près de Hébron.", "attaquent"),
    ],
)
def test_an_attack_on_a_settlement_is_violence_against_civilians(
    enricher: Enricher, text: str, word: str
) -> None:
    attack = triggered(mentions(enricher, text, PUBLISHED), word)
    assert (attack.event_type, attack.sub_event_type) == ("Violence against civilians", "Attack")


def test_an_attack_on_a_post_near_a_village_is_a_clash(enricher: Enricher) -> None:
    text = "Des jihadistes ont attaqué un poste de l'armée près du village de Toukoro."
    attack = triggered(mentions(enricher, text, PUBLISHED), "attaqué")
    assert (attack.event_type, attack.sub_event_type) == ("Battles", "Armed clash")


# --- "Ils paieront le prix": the price is the other side's, and the warning is a threat.


@pytest.mark.parametrize(
    "text",
    [
        "Benjamin Netanyahou a averti que le Hezbollah paierait un prix très lourd.",
        "Le général Abdel Fattah al-Burhane a promis que les FSR paieraient cher leurs crimes.",
        "Le président Volodymyr Zelensky a prévenu que la Russie en paiera le prix.",
    ],
)
def test_a_price_the_other_side_will_pay_is_a_threat(enricher: Enricher, text: str) -> None:
    assert ("Interaction", "THREATEN") in types(mentions(enricher, text, PUBLISHED))


# --- Troops engaging armed people ("ont accroché un groupe de combattants") fight a battle.


def test_troops_engaging_a_group_fight_a_battle(enricher: Enricher) -> None:
    text = "Mercredi, les forces armées maliennes ont accroché un groupe de jihadistes près de Ténenkou."
    clash = triggered(mentions(enricher, text, PUBLISHED), "accroché")
    assert (clash.event_type, clash.sub_event_type) == ("Battles", "Armed clash")
    assert mentions(enricher, "Le Hamas a accroché une banderole sur le mur du bâtiment.", PUBLISHED) == []


# --- The parties of an exchange whose subject the parser cut off its verb.


def test_the_parties_of_an_exchange_told_with_an_adverb(enricher: Enricher) -> None:
    text = "Moscou et Kiev ont par ailleurs procédé jeudi à un nouvel échange de prisonniers."
    agree = next(e for e in mentions(enricher, text, PUBLISHED) if e.sub_event_type == "AGREE")
    assert {agree.actor.id, agree.target.id} == {"moscou", "kiev"} or {  # type: ignore[union-attr]
        agree.actor.id,  # type: ignore[union-attr]
        agree.target.id,  # type: ignore[union-attr]
    } == {"russie", "ukraine"}


def test_a_price_paid_by_households_is_no_threat(enricher: Enricher) -> None:
    text = "Christine Lagarde a averti que les ménages paieront le prix de l'inflation."
    assert ("Interaction", "THREATEN") not in types(mentions(enricher, text, PUBLISHED))


# --- Arrests: people named by their nationality, an arrest announced, a boat boarded.


@pytest.mark.parametrize(
    "text",
    [
        "Les forces de sécurité pakistanaises ont arrêté onze Afghans près de la frontière.",
        "La gendarmerie a arrêté trois Maliens lors d'un contrôle à Kayes.",
        "Le ministère de l'Intérieur a annoncé jeudi l'arrestation de cinq suspects.",
        "Les garde-côtes grecs ont arraisonné un cargo au large de la Crète.",
    ],
)
def test_arrests_told_in_other_words(enricher: Enricher, text: str) -> None:
    assert ("Strategic developments", "Arrests") in types(mentions(enricher, text, PUBLISHED))


# --- Talks called off are no talks.


@pytest.mark.parametrize(
    "text",
    [
        "Le président Gustavo Petro a annoncé la suspension des pourparlers avec l'ELN.",
        "Le Kremlin a confirmé l'annulation de la rencontre entre Vladimir Poutine et Donald Trump.",
        "Kiev a suspendu les négociations avec Moscou.",
    ],
)
def test_talks_called_off_are_no_meeting(enricher: Enricher, text: str) -> None:
    assert ("Interaction", "CONSULT") not in types(mentions(enricher, text, PUBLISHED))


# --- "X accuse Y d'avoir attaqué": the accused is the one who acted.


@pytest.mark.parametrize(
    ("text", "word", "actor"),
    [
        ("Kiev accuse l'armée russe d'avoir frappé un hôpital à Kherson.", "frappé", "forces-armees-russes"),
        (
            "Les villageois accusent les miliciens du CODECO d'avoir attaqué le camp de déplacés.",
            "attaqué",
            "codeco",
        ),
        (
            "Le gouvernement soupçonne le Hamas d'avoir tiré des roquettes sur Ashkelon.",
            "tiré",
            "hamas",
        ),
    ],
)
def test_the_accused_is_the_actor(enricher: Enricher, text: str, word: str, actor: str) -> None:
    event = triggered(mentions(enricher, text, PUBLISHED), word)
    assert event.actor is not None and event.actor.id == actor


# --- A trigger noun naming the topic of a document, a drill or a course is no event.


@pytest.mark.parametrize(
    ("text", "sub_event_type"),
    [
        (
            "Le Niger et le Bénin ont signé lundi à Niamey un protocole sur le déminage de leur frontière.",
            "Disrupted weapons use",
        ),
        ("L'ONU a publié jeudi un rapport sur les frappes de drones au Sahel.", "Air/drone strike"),
        ("Des soldats maliens ont suivi à Koulikoro une formation au déminage.", "Disrupted weapons use"),
        (
            "La marine a mené mardi un exercice de tir au large de Toulon.",
            "Shelling/artillery/missile attack",
        ),
    ],
)
def test_a_topic_is_no_event(enricher: Enricher, text: str, sub_event_type: str) -> None:
    assert sub_event_type not in {e.sub_event_type for e in mentions(enricher, text, PUBLISHED)}


# --- A headline's attack by no named author has no target for the state its place lies in:
# the text names the party hit ("Somalie : deux soldats tués ..." is no attack on Somalia).


@pytest.mark.parametrize(
    ("text", "word"),
    [
        (
            "Somalie : deux soldats tués par l'explosion d'une mine près de Baidoa\n\nMOGADISCIO – "
            "Deux soldats ont été tués jeudi lorsque leur véhicule a sauté sur une mine près de "
            "Baidoa, a indiqué un officier.",
            "explosion",
        ),
        (
            "Syrie : un dépôt de munitions touché par des drones près de Hama\n\nDAMAS – Un dépôt "
            "de munitions a été touché dans la nuit par des drones près de Hama, selon une ONG.",
            "touché",
        ),
        (
            "Soudan : un village bombardé au Darfour, douze morts\n\nKHARTOUM – Douze civils ont "
            "été tués samedi dans le bombardement d'un village près d'El-Fasher, selon des secouristes.",
            "bombardé",
        ),
        (
            "Yémen : un poste de contrôle visé par un attentat à Aden\n\nADEN – Un attentat a visé "
            "lundi un poste de contrôle à Aden, faisant cinq morts, selon des responsables.",
            "attentat",
        ),
    ],
)
def test_headline_attack_without_author_targets_no_state(enricher: Enricher, text: str, word: str) -> None:
    headline = [e for e in mentions(enricher, text, PUBLISHED) if e.sentence_start == 0 and e.trigger == word]
    assert len(headline) == 1
    assert headline[0].actor is None
    assert headline[0].target is None
