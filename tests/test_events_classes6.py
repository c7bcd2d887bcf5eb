"""Event triggers, types and interactions on unseen news (issue 14, events, round 6). Each test
is one class, on sentences composed for the test (none comes from a gold set), read through the
real model (`enricher` fixture of conftest) before and after the incident merge.
"""

from __future__ import annotations

import pytest
from helpers import incidents, mentions

from enrich.pipeline import Enricher
from vigie.core.models import Event


def typed(events: list[Event]) -> list[tuple[str, str | None, str | None]]:
    return [
        (e.sub_event_type, e.actor.id if e.actor else None, e.target.id if e.target else None) for e in events
    ]


# --- A call on a party whose "à" complement the parser hung elsewhere: past an apposition, a
# --- relative clause, a day or quotes between the addressee and what is asked.


@pytest.mark.parametrize(
    ("text", "target"),
    [
        (
            "Le ministre turc des Affaires étrangères, Hakan Fidan, a appelé l'Union africaine, "
            "l'organisation panafricaine basée en Éthiopie, à « suspendre » ses sanctions contre le Niger.",
            "union-africaine",
        ),
        (
            "Le Premier ministre Ousmane Sonko a appelé le Mali, qui a fermé la frontière en mars, "
            "à « rouvrir » les postes de Kidira.",
            "mali",
        ),
        (
            "L'Égypte a appelé le Hamas, le mouvement islamiste palestinien, à « accepter sans délai » "
            "la proposition de trêve.",
            "hamas",
        ),
        (
            "Le chef de la diplomatie française a appelé lundi Kinshasa et Kigali à « reprendre sans "
            "condition » le dialogue pour qu'il aboutisse.",
            None,
        ),
    ],
)
def test_a_call_on_a_party_past_its_apposition_or_relative(
    enricher: Enricher, text: str, target: str | None
) -> None:
    found = [e for e in mentions(enricher, text) if e.sub_event_type == "REQUEST"]
    assert len(found) == 1, typed(mentions(enricher, text))
    if target is not None:
        assert found[0].target is not None and found[0].target.id == target


@pytest.mark.parametrize(
    "text",
    [
        "Emmanuel Macron a appelé son homologue brésilien à 10 heures pour évoquer le sommet.",
        "Volodymyr Zelensky a appelé mardi son homologue américain, qui l'a félicité à l'issue du scrutin.",
        "Le président ukrainien a appelé ses compatriotes, réfugiés en Pologne, à « rentrer au pays ».",
        "Le chef de l'Etat a appelé jeudi Vladimir Poutine à Moscou.",
    ],
)
def test_a_call_that_asks_nothing_of_a_party_is_no_request(enricher: Enricher, text: str) -> None:
    assert not [e for e in mentions(enricher, text) if e.sub_event_type == "REQUEST"]


# --- Who is hit and who strikes decide the type: protesters hit by the forces of order meet
# --- excessive force (their tolls with it); protesters who burn or attack riot; the forces of
# --- order against an armed group fight a battle, whoever dies; an intrusion into a home is an
# --- attack on civilians.


def kinds(events: list[Event]) -> set[str]:
    return {e.sub_event_type for e in events}


@pytest.mark.parametrize(
    ("text", "killed"),
    [
        ("Kenya : quatre manifestants tués par la police à Kisumu", 4),
        (
            "Deux étudiants ont été tués lundi à Dacca lorsque la police a ouvert le feu sur une foule "
            "qui protestait contre la réforme des quotas.",
            2,
        ),
        (
            "Des gendarmes ont tiré à balles réelles sur le cortège de l'opposition à Lomé, tuant trois personnes.",
            3,
        ),
        ("Quatre manifestants ont été abattus par les forces de sécurité samedi à Khartoum.", 4),
    ],
)
def test_protesters_hit_by_the_forces_of_order_meet_excessive_force(
    enricher: Enricher, text: str, killed: int
) -> None:
    found = incidents(enricher, text)
    assert kinds(found) == {"Excessive force against protesters"}, typed(found)
    assert found[0].killed is not None and found[0].killed.value == killed


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Des hommes armés ont tué deux manifestants à Bamako.", "Attack"),
        ("Des jihadistes ont tué cinq villageois près de Djibo.", "Attack"),
    ],
)
def test_protesters_killed_by_armed_men_stay_an_attack(enricher: Enricher, text: str, kind: str) -> None:
    assert kind in kinds(incidents(enricher, text))


@pytest.mark.parametrize(
    "text",
    [
        "À Mombasa, des protestataires ont incendié dans la nuit le siège local du parti au pouvoir.",
        "Des centaines de manifestants ont attaqué le commissariat central de Niamey samedi.",
        "Mardi, des contestataires ont incendié trois véhicules de la mairie de Bouaké.",
        "Des protestataires ont attaqué samedi le convoi du gouverneur à Kananga.",
    ],
)
def test_protesters_who_burn_or_attack_riot(enricher: Enricher, text: str) -> None:
    assert kinds(incidents(enricher, text)) == {"Violent demonstration"}, typed(incidents(enricher, text))


@pytest.mark.parametrize(
    "text",
    [
        "Huit personnes ont été tuées mardi lors d'une opération de l'armée contre un gang à Port-au-Prince.",
        "Six personnes, dont deux policiers, ont perdu la vie lors d'une opération de la police contre un "
        "cartel à Culiacán.",
        "Onze personnes sont mortes dimanche lors d'une offensive de l'armée contre les rebelles près de Bunia.",
        "Neuf personnes ont été tuées jeudi au cours d'une opération de la gendarmerie contre une bande armée "
        "à Tumaco.",
    ],
)
def test_the_forces_of_order_against_an_armed_group_fight_a_battle(enricher: Enricher, text: str) -> None:
    assert kinds(incidents(enricher, text)) == {"Armed clash"}, typed(incidents(enricher, text))


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Jeudi soir, des hommes armés ont fait irruption dans une maison de Choloma.", "Attack"),
        ("Des hommes cagoulés ont fait irruption au domicile du maire de Kaya.", "Attack"),
        ("Un commando a fait irruption dans une habitation de Tillabéri dans la nuit.", "Attack"),
        ("Des individus armés ont fait irruption chez un notable à Djibo.", "Attack"),
        ("Des soldats ont fait irruption dans le camp des rebelles près de Kidal.", "Armed clash"),
    ],
)
def test_an_intrusion_into_a_home_is_an_attack_on_civilians(enricher: Enricher, text: str, kind: str) -> None:
    assert kinds(mentions(enricher, text)) == {kind}, typed(mentions(enricher, text))


# --- A generic attack word never refers back to an abduction told before it (a headline that
# --- names an attack and, after it, people taken away).


@pytest.mark.parametrize(
    "text",
    [
        "Mali : attaque contre le poste de Tessit, deux bergers enlevés près de Gao\n\n"
        "Trois soldats ont été tués dans l'attaque du poste de Tessit, a indiqué l'armée.",
        "Niger : attaque contre le camp de Tillabéri, un chef de village enlevé près de Téra\n\n"
        "Cinq soldats ont été tués dans l'attaque du camp, selon l'armée.",
        "Nigeria : assaut contre le commissariat de Gusau, deux écolières kidnappées à Zamfara\n\n"
        "Deux policiers ont été tués dans l'assaut du commissariat, selon un porte-parole.",
        "Tchad : attaque contre une patrouille près de Bol, deux pêcheurs enlevés sur le lac\n\n"
        "Quatre militaires ont été tués dans l'attaque de la patrouille, selon l'armée.",
    ],
)
def test_an_attack_word_does_not_refer_back_to_an_abduction(enricher: Enricher, text: str) -> None:
    found = mentions(enricher, text)
    attacks = [e for e in found if e.trigger in ("attaque", "assaut")]
    assert attacks and all(e.sub_event_type != "Abduction/forced disappearance" for e in attacks), typed(
        found
    )


# --- Taking something as a target: a strike typed by its means or its context, when a weapon or
# --- armed people strike.


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Un drone israélien a pris pour cible une voiture sur la route de Tyr.", "Air/drone strike"),
        ("Une moto a été prise pour cible par un drone turc près de Qamichli.", "Air/drone strike"),
        ("Des hommes armés ont pris pour cible un convoi de l'armée près de Ménaka.", "Armed clash"),
        (
            "Des obus de mortier ont pris pour cible le camp militaire de Kidal dans la nuit.",
            "Shelling/artillery/missile attack",
        ),
    ],
)
def test_taking_as_a_target_is_a_strike_typed_by_its_means(enricher: Enricher, text: str, kind: str) -> None:
    assert kinds(mentions(enricher, text)) == {kind}, typed(mentions(enricher, text))


@pytest.mark.parametrize(
    "text",
    [
        "Les critiques ont pris pour cible le ministre des Finances.",
        "L'opposition a pris pour cible le président Tshisekedi lors du débat.",
    ],
)
def test_critics_taking_a_minister_as_target_strike_nothing(enricher: Enricher, text: str) -> None:
    assert not mentions(enricher, text)


# --- A border moved on the ground: territory changing hands without a fight.


@pytest.mark.parametrize(
    "text",
    [
        "Des panneaux de frontière ont été déplacés de 300 mètres vers l'intérieur du territoire géorgien.",
        "Les gardes-frontières ont avancé les bornes de la ligne de démarcation près du village de Khurvaleti.",
        "La clôture a été repoussée de plusieurs centaines de mètres vers l'intérieur du territoire moldave.",
        "Les troupes russes ont déplacé la ligne de démarcation de 500 mètres près du village de Bershueti.",
    ],
)
def test_a_border_moved_is_a_non_violent_transfer_of_territory(enricher: Enricher, text: str) -> None:
    assert kinds(mentions(enricher, text)) == {"Non-violent transfer of territory"}


@pytest.mark.parametrize(
    "text",
    [
        "Le sommet a été repoussé au mois de mars.",
        "Le Premier ministre a avancé la date des élections législatives.",
    ],
)
def test_a_date_moved_is_no_transfer(enricher: Enricher, text: str) -> None:
    assert not mentions(enricher, text)


def test_an_intrusion_whose_home_hangs_on_the_phrase_noun(enricher: Enricher) -> None:
    text = "Selon la police, « au moins cinq hommes cagoulés » ont fait irruption dans la ferme avant de s'enfuir."
    assert kinds(mentions(enricher, text)) == {"Attack"}, typed(mentions(enricher, text))


def test_an_intrusion_told_by_a_police_spokesman_stays_an_attack(enricher: Enricher) -> None:
    # the police quoted are no party of the intrusion
    text = (
        "D'après le porte-parole de la gendarmerie, Jean Kaboré, « au moins six individus » ont fait "
        "irruption dans une maison de Dori avant de s'enfuir."
    )
    assert kinds(mentions(enricher, text)) == {"Attack"}, typed(mentions(enricher, text))


# --- A leader chairing or convening a meeting of a body: one body meets, no two parties consult.


@pytest.mark.parametrize(
    "text",
    [
        "Le président Bola Tinubu a présidé mardi une réunion du Conseil national de sécurité à Abuja.",
        "Le chef de la junte, Assimi Goïta, a convoqué jeudi une réunion extraordinaire du gouvernement.",
        "Le Premier ministre Ousmane Sonko a dirigé mercredi une réunion du Conseil interministériel sur la "
        "sécurité.",
        "Emmanuel Macron a présidé une réunion du Conseil de défense et de sécurité nationale à l'Élysée.",
    ],
)
def test_a_body_meeting_under_its_chair_is_no_consult(enricher: Enricher, text: str) -> None:
    assert "CONSULT" not in kinds(mentions(enricher, text))


@pytest.mark.parametrize(
    "text",
    [
        "Le président Félix Tshisekedi a présidé une réunion avec les chefs des partis de l'opposition.",
        "Le président Félix Tshisekedi a rencontré lundi son homologue rwandais Paul Kagame à Luanda.",
    ],
)
def test_a_meeting_with_another_side_stays_a_consult(enricher: Enricher, text: str) -> None:
    assert "CONSULT" in kinds(mentions(enricher, text))
