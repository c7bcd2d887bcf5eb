"""Violence triggers on unseen news (events, round 11). Each test is one class, on sentences
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


# --- Territory taken by name: "se sont emparés de Kidal" (a place the gazetteer knows, or a
# --- compound place noun: "une ville-garnison") is a takeover.


@pytest.mark.parametrize(
    "text",
    [
        "Mercredi, des combattants touareg se sont emparés de Kidal, selon des sources sécuritaires.",
        "Les rebelles du M23 se sont emparés de Bukavu dimanche après le départ des soldats congolais.",
        "Jeudi, les jihadistes se sont emparés de Djibo, dans le nord du Burkina Faso.",
        "Les rebelles du M23 se sont emparés d'une ville-garnison proche de la frontière rwandaise.",
    ],
)
def test_a_named_place_taken_is_a_takeover(enricher: Enricher, text: str) -> None:
    assert "Non-state actor overtakes territory" in subtypes(mentions(enricher, text)), subtypes(
        mentions(enricher, text)
    )


@pytest.mark.parametrize(
    "text",
    [
        "Les manifestants se sont emparés du micro lors du meeting de Dakar.",
        "La justice s'est emparée mardi du dossier des disparus de Gao.",
    ],
)
def test_no_takeover_without_a_place(enricher: Enricher, text: str) -> None:
    found = subtypes(mentions(enricher, text))
    assert "Non-state actor overtakes territory" not in found, found
    assert "Government regains territory" not in found, found


# --- A group described by what it had done (a pluperfect relative clause) is background,
# --- even when the sentence names a time elsewhere ("après l'accord"): no event.


@pytest.mark.parametrize(
    ("text", "subtype"),
    [
        (
            "Les miliciens de Wagner, qui avaient combattu aux côtés de l'armée malienne contre les "
            "rebelles touareg, ont quitté le pays après l'arrivée d'Africa Corps.",
            "Armed clash",
        ),
        (
            "Les Houthis, qui avaient bombardé des navires marchands en mer Rouge, ont annoncé une pause "
            "après l'accord de Mascate.",
            "Air/drone strike",
        ),
        (
            "La milice Codeco, qui avait massacré des déplacés en Ituri, a rejoint le processus de paix "
            "après la médiation de Nairobi.",
            "Attack",
        ),
        (
            "Le groupe armé, dont les combattants avaient attaqué des villages du Zamfara, a libéré ses "
            "otages après des négociations.",
            "Attack",
        ),
    ],
)
def test_a_pluperfect_description_is_background(enricher: Enricher, text: str, subtype: str) -> None:
    assert subtype not in subtypes(mentions(enricher, text)), subtypes(mentions(enricher, text))


@pytest.mark.parametrize(
    "text",
    [
        "Les hommes armés, qui avaient attaqué le village dans la nuit, ont été arrêtés par les gendarmes.",
        "Dans la nuit, des hommes armés avaient attaqué le village de Kouri, près de Koutiala.",
    ],
)
def test_a_pluperfect_of_the_story_time_stays(enricher: Enricher, text: str) -> None:
    found = subtypes(mentions(enricher, text))
    assert {"Attack", "Armed clash"} & set(found), found


# --- Fighting told as how territory was taken ("après trois jours de combats", "au terme de
# --- violents affrontements") is part of the takeover, no clash of its own.


@pytest.mark.parametrize(
    "text",
    [
        "Les forces du Puntland ont repris jeudi la ville de Qandala après des affrontements contre les shebab.",
        "Les FARDC ont repris la localité de Kitshanga après de violents combats contre le M23.",
        "L'armée malienne a repris mardi le village de Tessit après des combats contre les jihadistes.",
        "L'armée soudanaise a repris le contrôle de la ville de Bara après des combats contre les FSR.",
        "Les miliciens Fano ont repris samedi la ville de Lalibela après des combats contre l'armée fédérale.",
        "L'armée birmane a repris dimanche la ville de Lashio après des affrontements contre les rebelles.",
    ],
)
def test_fighting_of_a_takeover_is_the_takeover(enricher: Enricher, text: str) -> None:
    found = subtypes(mentions(enricher, text))
    assert "Armed clash" not in found and len(found) == 1, found


@pytest.mark.parametrize(
    "text",
    [
        "L'armée soudanaise a repris le village d'Oum Sumeima. Des combats opposent depuis mardi l'armée aux FSR "
        "près d'El-Obeid.",
        "Des combats contre les FSR ont eu lieu près d'El-Obeid avant que l'armée soudanaise reprenne le village "
        "d'Oum Sumeima.",
    ],
)
def test_other_fighting_stays_a_clash(enricher: Enricher, text: str) -> None:
    assert "Armed clash" in subtypes(mentions(enricher, text)), subtypes(mentions(enricher, text))


# --- A hit told of a projectile another trigger fired ("lorsqu'un obus tiré depuis la rive a
# --- frappé leur maison") is that fire, of its type: one shelling, no air strike.


@pytest.mark.parametrize(
    "text",
    [
        "Deux fillettes ont été tuées dans la nuit de samedi à dimanche lorsqu'un obus tiré depuis le côté "
        "azerbaïdjanais a frappé leur maison du village de Tegh.",
        "Un berger a été tué dans la nuit de jeudi à vendredi lorsqu'un obus tiré depuis le côté israélien a "
        "frappé sa bergerie près de Kfar Kila.",
        "Une fillette a été tuée dans la nuit lorsqu'un obus tiré depuis le côté pakistanais a frappé l'école du "
        "village de Poonch.",
        "Un paysan a été tué dans la nuit de mardi à mercredi lorsqu'un obus tiré depuis le côté indien a frappé "
        "sa ferme près de Kotli.",
        "Une femme a été tuée dans la nuit de dimanche à lundi lorsqu'un obus tiré depuis le côté arménien a "
        "frappé sa maison du village de Sotk.",
    ],
)
def test_a_hit_by_a_shell_fired_is_shelling(enricher: Enricher, text: str) -> None:
    found = subtypes(mentions(enricher, text))
    assert "Shelling/artillery/missile attack" in found and "Air/drone strike" not in found, found


@pytest.mark.parametrize(
    "text",
    [
        "Un drone lancé depuis la Russie a frappé un immeuble de Kharkiv dans la nuit.",
        "Une frappe aérienne a touché un marché de Debre Tabor, tandis qu'un obus tombait sur Gondar.",
    ],
)
def test_a_drone_hit_stays_a_drone_strike(enricher: Enricher, text: str) -> None:
    assert "Air/drone strike" in subtypes(mentions(enricher, text)), subtypes(mentions(enricher, text))


# --- Fire opened is typed by the means its sentence names ("a ouvert le feu au mortier"),
# --- whoever fires; with none, by its context.


@pytest.mark.parametrize(
    "text",
    [
        "L'armée pakistanaise a ouvert le feu au mortier et à l'artillerie sur des villages du secteur de Poonch.",
        "Les paramilitaires ont ouvert le feu au mortier sur le camp de déplacés d'Abou Chouk, près d'El-Fasher.",
        "Ils ont ouvert le feu à l'artillerie lourde sur les faubourgs de Lattaquié.",
        "Les rebelles ont ouvert le feu au mortier sur la base de la Monusco à Sake.",
    ],
)
def test_fire_opened_with_artillery_is_shelling(enricher: Enricher, text: str) -> None:
    found = subtypes(mentions(enricher, text))
    assert "Shelling/artillery/missile attack" in found and "Armed clash" not in found, found


@pytest.mark.parametrize(
    ("text", "subtype"),
    [
        ("Des hommes armés ont ouvert le feu sur des fidèles dans une église de Kaduna.", "Attack"),
        ("Des soldats ont ouvert le feu sur un convoi de rebelles près de Kidal.", "Armed clash"),
    ],
)
def test_fire_opened_without_means_keeps_its_context(enricher: Enricher, text: str, subtype: str) -> None:
    assert subtype in subtypes(mentions(enricher, text)), subtypes(mentions(enricher, text))


# --- What is dropped falls from the air: "un quadricoptère a largué une grenade" is an air or
# --- drone strike, not a grenade nor a bomb set off.


@pytest.mark.parametrize(
    "text",
    [
        "Un quadricoptère a largué une grenade sur un poste de police de Bannu, blessant deux agents.",
        "Deux enfants ont été blessés lorsqu'un quadricoptère a largué un engin explosif sur leur cour à Miranshah.",
        "Les rebelles ont largué une grenade sur un check-point de l'armée près de Tanout.",
        "Un engin explosif largué sur une école de Tank a tué un enseignant, selon la police.",
    ],
)
def test_a_dropped_charge_is_an_air_strike(enricher: Enricher, text: str) -> None:
    found = subtypes(mentions(enricher, text))
    assert "Air/drone strike" in found and not {"Grenade", "Remote explosive/landmine/IED"} & set(found), (
        found
    )


@pytest.mark.parametrize(
    ("text", "subtype"),
    [
        ("Un assaillant a lancé une grenade sur un bus de pèlerins à Srinagar.", "Grenade"),
        ("Un engin explosif a explosé au passage d'un convoi près de Tank.", "Remote explosive/landmine/IED"),
    ],
)
def test_a_thrown_or_set_charge_keeps_its_type(enricher: Enricher, text: str, subtype: str) -> None:
    assert subtype in subtypes(mentions(enricher, text)), subtypes(mentions(enricher, text))


# --- A person shot dead with no shooter named, in a paragraph of its own ("Le lendemain, un
# --- chauffeur a été abattu à Beoga") is a shooting typed by its victims, not a toll of the
# --- article's last event; in that event's paragraph it is its toll.


@pytest.mark.parametrize(
    "text",
    [
        "Mardi, des rebelles ont tendu une embuscade à une patrouille de l'armée près de Beni.\n\n"
        "Le lendemain, un chauffeur de taxi de 35 ans, originaire de Goma, a été abattu à Butembo.",
        "Des combats ont opposé l'armée aux rebelles près de Kumba.\n\nJeudi, un enseignant, "
        "père de quatre enfants, a été abattu à Buea.",
        "Une embuscade contre un convoi militaire a fait trois morts près de Djibo.\n\nLe même jour, "
        "un commerçant de 50 ans, connu dans le quartier, a été abattu à Dori.",
        "Des affrontements ont opposé deux gangs à Port-au-Prince.\n\nSamedi, un pasteur de 60 ans, "
        "originaire des Cayes, a été abattu à Pétion-Ville.",
    ],
)
def test_a_person_shot_dead_is_an_attack(enricher: Enricher, text: str) -> None:
    found = subtypes(incidents(enricher, text))
    assert "Attack" in found and "Armed clash" in found, found


@pytest.mark.parametrize(
    "text",
    [
        "Un drone russe a été abattu mardi près de Kharkiv, selon l'armée de l'air.",
        "Des rebelles ont attaqué un poste militaire près de Beni. Deux soldats ont été abattus lors de l'assaut.",
        "Des hommes armés ont enlevé douze passagers d'un bus près de Gimbi. Le chauffeur, qui tentait de fuir, "
        "a été abattu.",
        "Des hommes armés ont enlevé douze passagers d'un bus près de Gimbi.\n\nSelon un témoin, ils ont fait "
        "descendre les étudiants. Le chauffeur, qui tentait de fuir, a été abattu, selon la même source.",
        "Des policiers ont abattu trois insurgés présumés près de Doda au terme d'un échange de tirs.",
    ],
)
def test_no_attack_on_civilians_for_drones_or_soldiers_shot(enricher: Enricher, text: str) -> None:
    assert "Attack" not in subtypes(incidents(enricher, text)), subtypes(incidents(enricher, text))


# --- Armed people leaving with people ("les assaillants sont repartis avec une quinzaine de
# --- villageois") took them: an abduction.


@pytest.mark.parametrize(
    "text",
    [
        "Les assaillants sont repartis vers la brousse avec une quinzaine de villageois, selon le maire.",
        "Les ravisseurs se sont enfuis avec deux enfants du chef de village à bord d'une moto.",
        "Les jihadistes sont partis avec une vingtaine de femmes après avoir incendié le marché.",
        "Des hommes armés sont repartis avec trois passagers du bus, selon la police de Zamfara.",
    ],
)
def test_attackers_leaving_with_people_abducted_them(enricher: Enricher, text: str) -> None:
    found = subtypes(mentions(enricher, text))
    assert "Abduction/forced disappearance" in found, found


@pytest.mark.parametrize(
    "text",
    [
        "Les assaillants sont repartis avec du bétail et des vivres, selon le maire.",
        "Le ministre est reparti avec une délégation de diplomates vers la capitale.",
    ],
)
def test_leaving_with_no_people_is_no_abduction(enricher: Enricher, text: str) -> None:
    assert "Abduction/forced disappearance" not in subtypes(mentions(enricher, text))


# --- A protest by blockade of an avenue, dispersed by the police named by a pronoun ("La
# --- police les a dispersés"), is one protest met by the police; rubber bullets disperse.


@pytest.mark.parametrize(
    "text",
    [
        "Des centaines d'habitants ont bloqué l'avenue principale de Goma pour protester contre l'insécurité. "
        "La police les a dispersés à coups de gaz lacrymogène.",
        "Plusieurs dizaines de commerçants ont bloqué l'avenue du Commerce à Kinshasa. "
        "Les policiers les ont dispersés dans l'après-midi.",
        "Des dizaines d'étudiants ont bloqué le rond-point de l'université à Dakar. "
        "La gendarmerie les a dispersés en fin de journée.",
        "Des centaines de chauffeurs ont bloqué l'avenue centrale de Lomé pour dénoncer les taxes. "
        "Les forces de l'ordre les ont dispersés à coups de grenades lacrymogènes et de balles en caoutchouc.",
    ],
)
def test_a_blockade_dispersed_is_a_protest_with_intervention(enricher: Enricher, text: str) -> None:
    found = subtypes(incidents(enricher, text))
    assert found == ["Protest with intervention"], found


@pytest.mark.parametrize(
    ("text", "subtype"),
    [
        ("L'armée a bloqué l'avenue menant au palais présidentiel de Niamey.", None),
        (
            "Des centaines de manifestants ont bloqué l'avenue principale de Bamako. "
            "La police a tiré à balles réelles sur les manifestants, tuant deux personnes.",
            "Excessive force against protesters",
        ),
    ],
)
def test_blockade_guards(enricher: Enricher, text: str, subtype: str | None) -> None:
    found = subtypes(incidents(enricher, text))
    if subtype is None:
        assert not {"Peaceful protest", "Protest with intervention"} & set(found), found
    else:
        assert subtype in found, found


# --- Guests and patrons are civilians: armed men firing on the guests of a party or bursting
# --- into a celebration attack civilians, not a clash.


@pytest.mark.parametrize(
    "text",
    [
        "Des hommes armés ont ouvert le feu sur les invités d'un mariage à Celaya, dans l'État de Guanajuato.",
        "Des tireurs ont ouvert le feu sur les clients d'un bar de Cuernavaca.",
        "Des hommes armés ont fait irruption dans une fête de quartier à Culiacán et ont tiré sur la foule des invités.",
        "Des hommes cagoulés ont ouvert le feu sur les spectateurs d'un match de football à Tuluá.",
    ],
)
def test_guests_attacked_are_civilians(enricher: Enricher, text: str) -> None:
    found = subtypes(mentions(enricher, text))
    assert "Attack" in found and "Armed clash" not in found, found


@pytest.mark.parametrize(
    "text",
    [
        "Des hommes armés ont ouvert le feu sur une patrouille de l'armée à Culiacán.",
        "Des tireurs ont ouvert le feu sur des policiers devant un commissariat de Cuernavaca.",
    ],
)
def test_fire_on_forces_stays_a_clash(enricher: Enricher, text: str) -> None:
    assert "Armed clash" in subtypes(mentions(enricher, text)), subtypes(mentions(enricher, text))


# --- People described by what they do ("une exposition consacrée à ceux qui les désamorcent"):
# --- a present relative clause on "celui/ceux qui" tells a kind of people, no event.


@pytest.mark.parametrize(
    "text",
    [
        "Le musée de Namur consacre une exposition à ceux qui désamorcent les obus de la Grande Guerre.",
        "Une exposition rend hommage à ceux qui désamorcent les bombes au Laos.",
        "Le pape a condamné mardi ceux qui bombardent des hôpitaux au Soudan.",
        "Le festival rend hommage à celles qui manifestent à Téhéran pour leurs droits.",
    ],
)
def test_a_kind_of_people_is_no_event(enricher: Enricher, text: str) -> None:
    assert mentions(enricher, text) == [], subtypes(mentions(enricher, text))


@pytest.mark.parametrize(
    ("text", "subtype"),
    [
        (
            "Les démineurs ont désamorcé mardi un obus de la Grande Guerre près d'Ypres.",
            "Disrupted weapons use",
        ),
        (
            "Ceux qui ont bombardé l'hôpital d'El-Fasher n'ont pas été identifiés, selon l'ONU.",
            "Air/drone strike",
        ),
    ],
)
def test_what_was_done_stays_an_event(enricher: Enricher, text: str, subtype: str) -> None:
    assert subtype in subtypes(mentions(enricher, text)), subtypes(mentions(enricher, text))
