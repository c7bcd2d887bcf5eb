"""Event types and events on unseen news (issue 14, events, round 5). Each test is one class, on
articles composed for the test (none comes from a gold set), read through the real model and the
incident merge (`Enricher.merge` over `Enricher.mentions_of_text`, the gate aside).
"""

from __future__ import annotations

from datetime import datetime

import pytest
from helpers import incidents, mentions

from enrich.pipeline import Enricher
from vigie.core.models import Event

PUBLISHED = datetime.fromisoformat("2025-09-17T10:00:00+02:00")


def described(events: list[Event]) -> list[tuple[str, str]]:
    return [(e.sub_event_type, e.trigger) for e in events]


# --- Fire whose means neither its sentence nor the article names is small-arms fire: a clash
# --- (or an attack, by its context), not shelling.


@pytest.mark.parametrize(
    "text",
    [
        # a demonym on the fire, a passive casualty
        "Un policier kirghize a été blessé jeudi par des tirs ouzbeks près de la frontière, dans la "
        "région de Batken.",
        # fire "venus du" another country, killed
        "Deux gardes-frontières iraniens ont été tués mercredi par des tirs venus du territoire "
        "pakistanais, près de Saravan.",
        # fire suffered ("essuyer"), no casualty
        "La patrouille a essuyé des tirs nourris lundi à l'entrée de Kidal, a indiqué l'état-major.",
        # the verb: soldiers fired on
        "Des soldats indiens ont tiré sur une position pakistanaise dans la nuit de mardi à mercredi "
        "le long de la ligne de contrôle, selon Islamabad.",
        # a headline, the number in digits
        "Kosovo : 2 policiers blessés par des tirs près de Zubin Potok",
    ],
)
def test_fire_with_no_means_named_is_a_clash(enricher: Enricher, text: str) -> None:
    found = incidents(enricher, text, PUBLISHED)
    assert [e.sub_event_type for e in found] == ["Armed clash"], described(found)


@pytest.mark.parametrize(
    ("text", "sub_type"),
    [
        # the means named in the sentence
        (
            "Deux civils ont été tués mardi par des tirs d'artillerie russes à Kherson, selon le gouverneur.",
            "Shelling/artillery/missile attack",
        ),
        (
            "Les forces russes ont tiré douze roquettes sur Nikopol dans la nuit, blessant deux habitants.",
            "Shelling/artillery/missile attack",
        ),
        # the article's weapons type fire its sentence leaves unnamed
        (
            "Des missiles russes ont visé Kharkiv lundi. Dans la soirée, de nouveaux tirs russes ont "
            "touché un immeuble du centre-ville.",
            "Shelling/artillery/missile attack",
        ),
    ],
)
def test_fire_with_means_named_stays_remote_violence(enricher: Enricher, text: str, sub_type: str) -> None:
    found = mentions(enricher, text, PUBLISHED)
    assert found and all(e.sub_event_type == sub_type for e in found), described(found)


# --- A negative pronoun as the subject of the trigger ("aucun d'eux", "personne", "nul") denies
# --- the event.


@pytest.mark.parametrize(
    ("text", "told"),
    [
        (
            "Des hommes armés ont enlevé six ouvriers turcs lundi près de Zinder. Aucun d'eux n'a été "
            "libéré depuis. Aucun suspect n'a été interpellé.",
            ["Abduction/forced disappearance"],
        ),
        (
            "Des inconnus ont ouvert le feu sur un bus près de Mopti. Personne n'a été arrêté à ce stade.",
            ["Armed clash"],
        ),
        (
            "Trois policiers ont été tués dans une embuscade près de Tillabéri. Nul n'a été appréhendé.",
            ["Armed clash"],
        ),
        ("Aucune d'entre elles n'a été interpellée, selon la police de Cotonou.", []),
        ("Des villageois ont été menacés, mais aucun n'a été enlevé, selon le maire de Kauru.", []),
    ],
)
def test_a_negative_pronoun_subject_denies_the_event(enricher: Enricher, text: str, told: list[str]) -> None:
    found = incidents(enricher, text, PUBLISHED)
    assert [e.sub_event_type for e in found] == told, described(found)


@pytest.mark.parametrize(
    ("text", "told"),
    [
        # the negated verb is the casualty, not the strike it names
        (
            "Des drones ont frappé un dépôt près de Koursk. Personne n'a été blessé dans la frappe, selon "
            "le gouverneur.",
            ["Air/drone strike"],
        ),
        # "une personne" is no negation
        ("Une personne a été interpellée mardi à Dori, selon la gendarmerie.", ["Arrests"]),
        ("La police n'a interpellé personne.", []),
    ],
)
def test_negation_guards(enricher: Enricher, text: str, told: list[str]) -> None:
    found = incidents(enricher, text, PUBLISHED)
    assert [e.sub_event_type for e in found] == told, described(found)


# --- Property burnt or razed, with no people harmed and no home or civilian place named, is
# --- property destruction; the article's drones or a fighters' context do not type it.


@pytest.mark.parametrize(
    "text",
    [
        "Samedi, des hommes armés ont incendié le commissariat de Kasongo, dans la province du Maniema.",
        "Dans la nuit, des inconnus armés ont incendié quatre bulldozers d'une société minière à Kalsaka.",
        "La sous-préfecture de Tongo a été incendiée mardi par des rebelles, selon les autorités locales.",
        "Chili : neuf camions incendiés en Araucanie, deux suspects interpellés",
        "Un commando a incendié dans la nuit de lundi à mardi sept pelleteuses et un entrepôt d'une "
        "entreprise de travaux publics près de Temuco.",
    ],
)
def test_property_burnt_alone_is_property_destruction(enricher: Enricher, text: str) -> None:
    found = [e for e in incidents(enricher, text, PUBLISHED) if e.sub_event_type != "Arrests"]
    assert [e.sub_event_type for e in found] == ["Looting/property destruction"], described(found)


@pytest.mark.parametrize(
    ("text", "sub_type"),
    [
        # homes, villagers: an attack on civilians
        ("Des miliciens ont incendié une vingtaine de maisons d'habitants dans un village voisin.", "Attack"),
        ("Des bandits ont tué trois villageois et incendié des greniers près de Gusau.", "Attack"),
        # damage told after a strike is the strike's
        (
            "Des drones russes ont frappé Odessa dans la nuit. Trois entrepôts ont été incendiés, selon "
            "le gouverneur.",
            "Air/drone strike",
        ),
        # rioters burning cars
        ("Des émeutiers ont incendié des voitures à Niamey.", "Violent demonstration"),
    ],
)
def test_property_damage_guards(enricher: Enricher, text: str, sub_type: str) -> None:
    found = incidents(enricher, text, PUBLISHED)
    assert [e.sub_event_type for e in found] == [sub_type], described(found)


# --- What a passive says was hit is no means: the subject of a passive trigger, or of the verb
# --- a trigger is the agent of ("un hélicoptère ... a été visé par des tirs": no air strike).


@pytest.mark.parametrize(
    "text",
    [
        "Vendredi, un hélicoptère de la Monusco qui évacuait des blessés a été visé par des tirs près "
        "de Beni.",
        "Un avion de transport de l'armée nigérienne a été touché par des tirs jihadistes à "
        "l'atterrissage à Tillabéri.",
        "Un hélicoptère de l'armée malienne a été attaqué mardi près de Tessalit.",
        "Deux hélicoptères de l'armée burkinabè ont été touchés par des tirs au-dessus de Djibo.",
    ],
)
def test_an_aircraft_hit_is_no_air_strike(enricher: Enricher, text: str) -> None:
    found = mentions(enricher, text, PUBLISHED)
    assert found and all(e.sub_event_type != "Air/drone strike" for e in found), described(found)


@pytest.mark.parametrize(
    ("text", "sub_type"),
    [
        # what was fired stays the means
        (
            "Des roquettes ont été tirées sur Sdérot dans la nuit, selon l'armée israélienne.",
            "Shelling/artillery/missile attack",
        ),
        (
            "L'Iran a tiré douze missiles sur Israël samedi, selon Tsahal.",
            "Shelling/artillery/missile attack",
        ),
        # aircraft striking are the means
        ("Deux hélicoptères russes ont bombardé des positions près de Bakhmout.", "Air/drone strike"),
        ("Un char a été détruit par un drone ukrainien près de Pokrovsk.", "Air/drone strike"),
    ],
)
def test_means_fired_or_flying_still_type(enricher: Enricher, text: str, sub_type: str) -> None:
    found = mentions(enricher, text, PUBLISHED)
    assert found and all(e.sub_event_type == sub_type for e in found), described(found)


# --- An explosive device made safe is disrupted weapons use, in every voice and as a noun.


@pytest.mark.parametrize(
    "text",
    [
        "Mardi, une vedette de la marine roumaine a neutralisé une mine dérivante au large de Constanta.",
        "Un engin explosif improvisé a été neutralisé par les démineurs de l'armée près de Ménaka.",
        "Les démineurs ont procédé jeudi à la neutralisation d'une mine antichar sur la route de Kidal.",
        "La police a désactivé une bombe artisanale découverte devant une école de Mogadiscio.",
    ],
)
def test_a_device_made_safe_is_disrupted_weapons_use(enricher: Enricher, text: str) -> None:
    found = incidents(enricher, text, PUBLISHED)
    assert [e.sub_event_type for e in found] == ["Disrupted weapons use"], described(found)


# --- A reporting verb is no delivery because a clause on its (misread) object names weapons.


@pytest.mark.parametrize(
    "text",
    [
        "Des drones russes ont frappé Odessa dans la nuit, a annoncé l'armée de l'air ukrainienne, qui "
        "affirme avoir abattu 40 drones.",
        "La Russie a visé Lviv dans la nuit, a annoncé l'armée de l'air ukrainienne, qui affirme avoir "
        "abattu douze missiles.",
        "L'Iran a frappé Haïfa samedi, a annoncé l'armée israélienne, qui dit avoir intercepté la plupart "
        "des missiles.",
        "Israël a bombardé le sud du Liban, a annoncé l'armée libanaise, qui affirme avoir intercepté un missile.",
        "Le Hezbollah a tiré des roquettes sur Metoula, a annoncé l'armée israélienne, qui dit avoir "
        "intercepté la plupart des roquettes.",
    ],
)
def test_a_report_is_no_aid(enricher: Enricher, text: str) -> None:
    found = mentions(enricher, text, PUBLISHED)
    assert found and all(e.sub_event_type != "AID" for e in found), described(found)


@pytest.mark.parametrize(
    "text",
    [
        "Berlin a annoncé la livraison de quatre systèmes Patriot à l'Ukraine.",
        "Washington a fourni des missiles ATACMS à Kiev, a annoncé le Pentagone.",
    ],
)
def test_deliveries_stay_aid(enricher: Enricher, text: str) -> None:
    assert "AID" in [e.sub_event_type for e in mentions(enricher, text, PUBLISHED)]


# --- A commentator (a researcher, an analyst, a historian: the subject, or the noun its name is
# --- the apposition of) says nothing a party does: no threat, no demand.


@pytest.mark.parametrize(
    "text",
    [
        "Un chercheur de l'université de Ouagadougou, Issa Sawadogo, a affirmé que les jihadistes « peuvent "
        "frapper n'importe où ».",
        "L'historien Jean Moulin a déclaré que les insurgés allaient frapper de nouveau dans la région.",
        "Le politologue Karim Benali a prévenu que les milices riposteraient.",
        "La chercheuse Marie Durand a assuré que « ces groupes vont frapper encore ».",
        "Un chercheur de l'IRIS, Paul Martin, a appelé Kinshasa à négocier avec le M23.",
    ],
)
def test_a_commentator_makes_no_interaction(enricher: Enricher, text: str) -> None:
    found = mentions(enricher, text, PUBLISHED)
    assert not [e for e in found if e.event_type == "Interaction"], described(found)


@pytest.mark.parametrize(
    ("text", "sub_type"),
    [
        ("Le chef du Hezbollah a affirmé que son mouvement frapperait Israël.", "THREATEN"),
        ("Le Qatar a appelé les belligérants à négocier sans délai.", "REQUEST"),
    ],
)
def test_a_party_still_interacts(enricher: Enricher, text: str, sub_type: str) -> None:
    assert sub_type in [e.sub_event_type for e in mentions(enricher, text, PUBLISHED)]


# --- Fire named as the complement of a violent noun ("des échanges de tirs") is that event's:
# --- of its type, not a second event typed by the article's weapons.


@pytest.mark.parametrize(
    "text",
    [
        "Des missiles russes ont visé Kharkiv lundi. Deux gardes-frontières ukrainiens ont été blessés mardi "
        "lors d'un échange de tirs avec des saboteurs près de Soumy.",
        "Des drones ont frappé Goma dimanche. Lundi, trois casques bleus ont été tués lors d'échanges de tirs "
        "avec des miliciens près de Beni.",
        "Des obus de mortier sont tombés sur Kidal samedi. Dimanche, un gendarme a été tué lors d'un "
        "échange de tirs avec des bandits armés près de Gao.",
        "L'artillerie a pilonné Bakhmout lundi. Mardi, deux policiers ont été tués au cours d'échanges de "
        "tirs nourris avec des contrebandiers près de Kherson.",
    ],
)
def test_fire_inside_an_exchange_is_the_exchange(enricher: Enricher, text: str) -> None:
    found = mentions(enricher, text, PUBLISHED)
    later = [e for e in found if e.sentence_start > 0]
    assert later and all(e.sub_event_type == "Armed clash" for e in later), described(found)
