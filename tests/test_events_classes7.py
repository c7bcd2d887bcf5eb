"""Violence triggers on unseen news (events, round 7). Each test is one class, on sentences
composed for the test (none comes from a gold set), read through the real model (`enricher`
fixture of conftest); the guards are near misses that must not change.
"""

from __future__ import annotations

import pytest
from helpers import incidents, mentions

from enrich.pipeline import Enricher
from vigie.core.models import Event


def subtypes(events: list[Event]) -> list[str]:
    return [e.sub_event_type for e in events]


# --- An assault told by its repulse: "ont repoussé une tentative d'infiltration", "une
# --- agression repoussée" is a battle, the attacker its actor.


@pytest.mark.parametrize(
    "text",
    [
        "L'armée nigériane a repoussé dimanche une tentative d'infiltration de Boko Haram près de Monguno.",
        "Les garde-côtes taïwanais ont repoussé une tentative de débarquement chinoise sur l'île de Kinmen.",
        "Selon Kiev, une tentative de percée russe a été repoussée jeudi près de Vovtchansk.",
        "Les forces kurdes ont repoussé une agression de l'État islamique contre la prison de Hassaké.",
        "La police soudanaise a déjoué une tentative d'infiltration des FSR dans Omdurman.",
    ],
)
def test_a_repelled_assault_is_a_battle(enricher: Enricher, text: str) -> None:
    assert "Armed clash" in subtypes(incidents(enricher, text)), subtypes(incidents(enricher, text))


@pytest.mark.parametrize(
    "text",
    [
        "Le débarquement de l'aide humanitaire a repris mardi au port de Hodeïda, au Yémen.",
        "La police malienne a déjoué une tentative d'assassinat contre le gouverneur de Kidal.",
        "Le Premier ministre sénégalais a dénoncé une agression verbale contre un journaliste à Dakar.",
    ],
)
def test_no_battle_without_a_repelled_assault(enricher: Enricher, text: str) -> None:
    assert "Armed clash" not in subtypes(mentions(enricher, text))


# --- "chasseur" names infantry, minehunters or hunters' militias ("la 57e brigade de
# --- chasseurs", "des chasseurs dozos"): no aircraft types the attack.


@pytest.mark.parametrize(
    "text",
    [
        "Les soldats ukrainiens ont repoussé mardi un assaut russe près de Koupiansk, selon la 57e brigade de chasseurs.",
        "Les combattants du JNIM ont mené un assaut contre un camp de chasseurs dozos près de Ségou.",
        "Un assaut des séparatistes contre le 3e bataillon de chasseurs a été repoussé près de Bamenda.",
        "Des miliciens ont lancé un assaut contre des chasseurs traditionnels près de Djibo, au Burkina Faso.",
    ],
)
def test_hunters_are_no_aircraft(enricher: Enricher, text: str) -> None:
    found = subtypes(mentions(enricher, text))
    assert found and "Air/drone strike" not in found, found


@pytest.mark.parametrize(
    "text",
    [
        "Des avions de chasse israéliens ont bombardé mardi des positions du Hezbollah près de Tyr.",
        "Des bombardiers russes ont frappé dans la nuit des positions ukrainiennes près de Koupiansk.",
    ],
)
def test_aircraft_still_type_a_strike(enricher: Enricher, text: str) -> None:
    assert "Air/drone strike" in subtypes(mentions(enricher, text))


# --- Bodies found are people killed: an attack on civilians with its toll; after a generic
# --- attack word, that attack was on civilians; with a clash in their sentence, its toll.


@pytest.mark.parametrize(
    ("text", "killed"),
    [
        ("Quinze corps ont été retrouvés mardi dans une fosse près de Bunia, en Ituri.", 15),
        ("Les corps de six bergers ont été découverts jeudi près de Tillabéri, au Niger.", 6),
        ("Les dépouilles de huit commerçants ont été retrouvées samedi à la sortie de Beni.", 8),
        ("Dix-neuf corps ont été retrouvés à Djugu, au lendemain d'une attaque de la milice CODECO.", 19),
        ("Douze cadavres ont été retrouvés dimanche dans un ravin près de Bangassou.", 12),
        ("Vingt et un corps ont été retrouvés lundi près de Butembo, dans le Nord-Kivu.", 21),
    ],
)
def test_bodies_found_are_an_attack(enricher: Enricher, text: str, killed: int) -> None:
    found = incidents(enricher, text)
    attacks = [e for e in found if e.sub_event_type == "Attack"]
    assert len(attacks) == 1, subtypes(found)
    assert attacks[0].killed is not None and attacks[0].killed.value == killed


@pytest.mark.parametrize(
    "text",
    [
        "Le bilan s'est alourdi à trente morts après la découverte de nouveaux corps près de Bunia.",
        "Le corps du pilote a été retrouvé après le crash de son hélicoptère près de Mopti.",
        "Le corps du randonneur a été retrouvé mardi après une avalanche près de Chamonix.",
    ],
)
def test_bodies_of_a_toll_told_again_or_an_accident_are_no_attack(enricher: Enricher, text: str) -> None:
    assert "Attack" not in subtypes(mentions(enricher, text))


def test_bodies_found_after_a_clash_are_its_toll(enricher: Enricher) -> None:
    text = "Onze corps ont été retrouvés lundi près de Tapachula, au lendemain d'affrontements entre deux cartels."
    assert subtypes(incidents(enricher, text)) == ["Armed clash"]


# --- The attackers named again taking people away: an abduction of its own, not the attack.

_ATTACK = "Des jihadistes ont attaqué dimanche le village de Tiguila, dans la région de Ségou. "


@pytest.mark.parametrize(
    "text",
    [
        _ATTACK + "Une vingtaine de femmes ont été emmenées par les assaillants.",
        _ATTACK + "Les assaillants ont enlevé trois enseignants avant de repartir.",
        "Des hommes armés ont attaqué mardi le marché de Kagoro, dans l'État de Kaduna. "
        "Les assaillants ont emmené une trentaine de passagers d'un bus.",
        "Des rebelles ont attaqué jeudi le village de Kilia, près de Beni. Ils ont kidnappé le chef du village.",
    ],
)
def test_attackers_taking_people_away_is_an_abduction(enricher: Enricher, text: str) -> None:
    found = subtypes(incidents(enricher, text))
    assert "Attack" in found and "Abduction/forced disappearance" in found, found


@pytest.mark.parametrize(
    "text",
    [
        _ATTACK + "Les assaillants ont ensuite incendié des cases.",
        _ATTACK + "Les assaillants ont tué quatre villageois.",
    ],
)
def test_attackers_named_again_still_tell_the_attack(enricher: Enricher, text: str) -> None:
    assert subtypes(incidents(enricher, text)) == ["Attack"]


# --- A pronoun standing for projectiles ("l'un d'eux a été abattu") is shot down: no ground
# --- violence against people.


@pytest.mark.parametrize(
    "text",
    [
        "Deux drones kamikazes ont été tirés vers le port de Mokha. L'un d'entre eux a été abattu par les gardes-côtes yéménites.",
        "Quatre missiles ont été tirés vers Marib. L'un d'entre eux a été abattu par les forces gouvernementales.",
        "Deux missiles ont été tirés vers Aden. L'un d'entre eux a été abattu par les forces de la coalition.",
        "Deux drones ont été tirés vers la base de Tessalit. L'un d'entre eux a été abattu par les soldats maliens.",
    ],
)
def test_a_projectile_shot_down_is_no_attack_on_people(enricher: Enricher, text: str) -> None:
    found = subtypes(mentions(enricher, text))
    assert "Attack" not in found and "Armed clash" not in found, found


@pytest.mark.parametrize(
    "text",
    [
        "Deux gardes ont été attaqués à Kassala ; l'un d'eux a été abattu par des hommes armés des FSR.",
        "Un commerçant a été abattu par des hommes armés du JNIM à Tombouctou.",
    ],
)
def test_people_shot_dead_are_still_an_attack(enricher: Enricher, text: str) -> None:
    assert "Attack" in subtypes(mentions(enricher, text))


# --- Explosions heard are the sound of an attack told elsewhere, no bombing of their own.


@pytest.mark.parametrize(
    "text",
    [
        "De fortes explosions ont été entendues dans la nuit à Odessa, selon le maire.",
        "Des explosions ont été entendues à Lviv et à Rivne, selon des journalistes de l'AFP.",
        "De puissantes explosions ont été entendues dans la nuit à Belgorod et à Koursk, selon les médias russes.",
        "Plusieurs explosions ont été entendues mardi à Tartous, selon des habitants.",
        "Des explosions ont été entendues à Port-Soudan, selon un correspondant de l'AFP.",
    ],
)
def test_explosions_heard_are_no_event(enricher: Enricher, text: str) -> None:
    assert mentions(enricher, text) == []


@pytest.mark.parametrize(
    "text",
    [
        "Une explosion a tué deux policiers mardi à Peshawar.",
        "Une forte explosion a secoué mardi le centre de Mogadiscio.",
    ],
)
def test_explosions_that_strike_are_events(enricher: Enricher, text: str) -> None:
    assert "Remote explosive/landmine/IED" in subtypes(mentions(enricher, text))


# --- A sweep or an operation in which arrests or seizures are made is their occasion, no battle.


@pytest.mark.parametrize(
    "text",
    [
        "Au cours d'une opération de ratissage dans la forêt de Sambisa, l'armée nigériane a interpellé douze hommes.",
        "La gendarmerie haïtienne a arrêté sept personnes lors d'une opération contre un gang à Port-au-Prince.",
        "Pendant une opération de ratissage menée à Mandera, la police kényane a saisi des armes et des munitions.",
        "Lors d'une opération de ratissage près de Ménaka, l'armée malienne a appréhendé trois suspects.",
        "La police nigériane a interpellé neuf hommes au cours d'une opération de ratissage à Maiduguri.",
    ],
)
def test_an_operation_with_arrests_is_no_battle(enricher: Enricher, text: str) -> None:
    found = subtypes(mentions(enricher, text))
    assert found and "Armed clash" not in found, found


@pytest.mark.parametrize(
    "text",
    [
        "Une opération de ratissage de l'armée malienne près de Ménaka a permis de tuer six jihadistes.",
        "L'armée haïtienne a mené une opération contre le gang 400 Mawozo à Croix-des-Bouquets, tuant cinq de ses membres.",
    ],
)
def test_an_operation_that_kills_is_a_battle(enricher: Enricher, text: str) -> None:
    assert "Armed clash" in subtypes(mentions(enricher, text))


# --- A trigger noun naming a unit's work ("le service d'enlèvement des engins", "l'unité
# --- d'assaut") and things removed ("l'enlèvement des débris") are no event.


@pytest.mark.parametrize(
    "text",
    [
        "Le service d'enlèvement des engins explosifs de l'armée belge est intervenu mardi à Ypres.",
        "Les équipes municipales ont procédé mardi à l'enlèvement des débris dans le centre de Goma.",
        "La mairie de Dakar a lancé l'enlèvement des épaves de véhicules sur la corniche.",
        "L'unité d'assaut de la police togolaise a été déployée jeudi à Lomé.",
        "Une unité de combat de l'armée malienne a été déployée à Gao.",
        "Les riverains réclament l'enlèvement des carcasses de voitures incendiées à Bamako.",
    ],
)
def test_units_and_things_removed_are_no_event(enricher: Enricher, text: str) -> None:
    found = subtypes(mentions(enricher, text))
    assert "Abduction/forced disappearance" not in found and "Armed clash" not in found, found


@pytest.mark.parametrize(
    "text",
    [
        "Des hommes armés ont procédé à l'enlèvement de deux prêtres près de Nsukka, au Nigeria.",
        "L'enlèvement de trois humanitaires à Gao a été revendiqué par le JNIM.",
    ],
)
def test_people_taken_are_still_abducted(enricher: Enricher, text: str) -> None:
    assert "Abduction/forced disappearance" in subtypes(mentions(enricher, text))


# --- A battlefield or a firing range is a place ("le champ de bataille de Waterloo", "le champ
# --- de tir"), not a battle.


@pytest.mark.parametrize(
    "text",
    [
        "Le champ de bataille de Waterloo accueille samedi une reconstitution avec 2 000 figurants.",
        "Des archéologues ont mis au jour mardi des ossements sur le champ de bataille d'Azincourt.",
        "Les soldats maliens se sont entraînés mardi sur le champ de tir de Kati.",
        "Les touristes affluent chaque été sur le champ de bataille de Gettysburg, en Pennsylvanie.",
        "Un nouveau mémorial a été inauguré dimanche sur le champ de bataille de Diên Biên Phu, au Vietnam.",
    ],
)
def test_a_battlefield_is_no_battle(enricher: Enricher, text: str) -> None:
    assert mentions(enricher, text) == []


@pytest.mark.parametrize(
    "text",
    [
        "De violents combats ont opposé mardi l'armée malienne aux jihadistes près de Boni.",
        "Des combats ont éclaté dans les champs autour de Kidal entre l'armée malienne et le FLA.",
    ],
)
def test_fighting_in_fields_is_still_a_battle(enricher: Enricher, text: str) -> None:
    assert "Armed clash" in subtypes(mentions(enricher, text))
