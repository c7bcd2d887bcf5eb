"""Incidents, round 11 (merge). Articles written for these tests, each headed by its headline as
the gold sets are (the title is the text's first line).

Class 1: a mention naming no day and no attacker, set only at places its incident names already
("Une trentaine de boutiques de Djibo ont été incendiées" after "Mercredi, le bilan s'est
alourdi à vingt morts"), takes its paragraph's day (the day the toll was revised), not a day of
its own: it stays with the incident (`merge._context_day`).

Class 2: a headline and the text's follow-up reports of a raid typed as an attack on civilians
("le bilan de l'attaque nocturne sur A s'est alourdi à onze blessés, dont trois enfants", "un
homme avait été tué dans l'incendie de sa maison": counts with no party and no weapon,
`merge._follow_up`) fold into the strike the text tells, even when the text's first toll is
lower than the revised one the headline gives (`merge._other_figure`).

Class 3: a correction notice telling what an earlier version of the article said ("Correctif :
une version précédente de cette dépêche attribuait l'embuscade à l'État islamique") tells no
event: its mentions give the incident no party, place or kind (`merge._superseded`,
parties.yaml `superseded_versions`)."""

from __future__ import annotations

from datetime import datetime

from helpers import french_article

from enrich.pipeline import Enricher
from vigie.core.models import Event

PUBLISHED = datetime.fromisoformat("2026-03-12T08:00:00+01:00")


def headed(enricher: Enricher, text: str) -> list[Event]:
    """The incidents of an article whose first line is its headline."""
    title = text.strip().splitlines()[0]
    item = french_article(text, PUBLISHED).model_copy(update={"title": title})
    return enricher.merge(enricher.mentions_of_text(text, item))


def kinds(events: list[Event]) -> list[str]:
    return [e.sub_event_type for e in events]


def value(quantity: object) -> int | None:
    return getattr(quantity, "value", None)


# --- class 1: a follow-up with its paragraph's day stays with its incident -------------------


def test_shops_burnt_after_revised_toll(enricher: Enricher) -> None:
    events = headed(
        enricher,
        "Burkina Faso : attaque contre le marché de Djibo\n"
        "Des hommes armés ont attaqué mardi le marché de Djibo, tuant quinze commerçants. "
        "Mercredi, le bilan s'est alourdi à vingt morts, selon une source sécuritaire. Une "
        "trentaine de boutiques de Djibo ont été incendiées.",
    )
    assert kinds(events) == ["Attack"]
    assert value(events[0].killed) == 20 and value(events[0].destroyed) == 30


def test_vehicles_destroyed_after_revised_strike_toll(enricher: Enricher) -> None:
    events = headed(
        enricher,
        "Mali : une frappe de drone sur un marché de Kidal\n"
        "Une frappe de drone a touché dimanche un marché de Kidal, tuant cinq civils. Lundi, le "
        "bilan est passé à sept morts, selon des élus locaux. Quatre véhicules ont été détruits "
        "sur le marché de Kidal.",
    )
    assert kinds(events) == ["Air/drone strike"]
    assert value(events[0].killed) == 7 and value(events[0].destroyed) == 4


def test_shelters_burnt_after_revised_camp_toll(enricher: Enricher) -> None:
    events = headed(
        enricher,
        "Soudan : attaque des FSR contre un camp près d'El-Obeid\n"
        "Des paramilitaires ont attaqué vendredi un camp de déplacés près d'El-Obeid, tuant "
        "trente personnes. Samedi, le bilan a été porté à quarante-deux morts. Des dizaines "
        "d'abris ont été incendiés à El-Obeid.",
    )
    assert kinds(events) == ["Attack"]
    assert value(events[0].killed) == 42 and value(events[0].destroyed) == 20


def test_police_station_burnt_after_revised_gang_toll(enricher: Enricher) -> None:
    events = headed(
        enricher,
        "Haïti : attaque d'un gang contre Mirebalais\n"
        "Des membres d'un gang ont attaqué vendredi la commune de Mirebalais, tuant dix "
        "habitants. Samedi, le bilan est passé à quinze morts, selon la police. Une prison et un "
        "commissariat de Mirebalais ont été incendiés.",
    )
    assert kinds(events) == ["Attack"]
    assert value(events[0].killed) == 15 and value(events[0].destroyed) == 2


def test_stalls_burnt_after_revised_market_toll(enricher: Enricher) -> None:
    events = headed(
        enricher,
        "Nigeria : attaque d'un marché à Gwoza\n"
        "Des jihadistes ont attaqué jeudi le marché de Gwoza, dans l'État de Borno, tuant huit "
        "commerçants. Vendredi, le bilan s'est alourdi à treize morts, selon la police. Une "
        "quarantaine d'étals de Gwoza ont été incendiés.",
    )
    assert kinds(events) == ["Attack"]
    assert value(events[0].killed) == 13 and value(events[0].destroyed) == 40


def test_guard_follow_up_at_another_place_stays_apart(enricher: Enricher) -> None:
    events = headed(
        enricher,
        "Niger : embuscade près de Tillabéri\n"
        "Des assaillants ont tendu samedi une embuscade à un convoi près de Tillabéri, tuant "
        "quatre soldats. Dimanche, le bilan a été porté à six morts. Trois camions ont été "
        "incendiés lors d'une seconde attaque à Ouallam.",
    )
    assert len(events) == 2
    assert value(events[0].killed) == 6 and events[0].destroyed is None


def test_guard_a_day_of_its_own_stays_apart(enricher: Enricher) -> None:
    events = headed(
        enricher,
        "Somalie : attaque d'un village près de Baidoa\n"
        "Des shebab ont attaqué lundi le village de Awdinle, près de Baidoa, tuant trois civils. "
        "Mercredi, des hommes armés ont incendié deux maisons à Baidoa.",
    )
    assert len(events) == 2
    assert events[0].destroyed is None


# --- class 2: a headline and its follow-ups typed as an attack join the strike ---------------


def live(headline: str, update: str, first: str) -> str:
    return (
        f"EN DIRECT – Guerre en Ukraine : {headline}\n\n"
        f"11/03/26 - 18:10 - Mise à jour : {update}\n\n"
        f"11/03/26 - 09:05 - {first}"
    )


def test_live_update_on_soumy_joins_the_drone_strike(enricher: Enricher) -> None:
    events = headed(
        enricher,
        live(
            "une nuit de drones sur Soumy, au moins deux morts et onze blessés",
            "le bilan de l'attaque nocturne sur Soumy s'est alourdi à onze blessés, dont trois "
            "enfants, a annoncé le gouverneur régional. Un homme de 70 ans avait été tué dans "
            "l'incendie de sa maison, dans le quartier de Zarichnyi.",
            "Dans la nuit de mardi à mercredi, la Russie a lancé 25 drones Shahed sur Soumy, dont "
            "dix-neuf ont été abattus. Plusieurs engins ont touché des immeubles du quartier de "
            "Zarichnyi. Deux personnes ont été tuées et quatre blessées, selon un premier bilan.",
        ),
    )
    assert kinds(events) == ["Air/drone strike"]
    assert value(events[0].injured) == 11 and value(events[0].launched) == 25


def test_live_update_on_odessa_joins_the_drone_strike(enricher: Enricher) -> None:
    events = headed(
        enricher,
        live(
            "une nuit de drones sur Odessa, un mort et quinze blessés",
            "le bilan de l'attaque nocturne sur Odessa s'est alourdi à quinze blessés, dont trois "
            "enfants, selon le maire. Une femme de 58 ans avait été tuée dans l'effondrement de "
            "son immeuble, dans le quartier de Peressyp.",
            "La Russie a lancé dans la nuit 40 drones sur Odessa, dont 30 ont été abattus par la "
            "défense aérienne. Des engins ont touché des entrepôts du quartier de Peressyp. Une "
            "personne a été tuée et six autres blessées, selon un premier bilan.",
        ),
    )
    assert kinds(events) == ["Air/drone strike"]
    assert value(events[0].injured) == 15 and value(events[0].killed) == 1


def test_live_update_on_tchernihiv_joins_the_drone_strike(enricher: Enricher) -> None:
    events = headed(
        enricher,
        live(
            "une nuit de drones sur Tchernihiv, trois morts et vingt blessés",
            "le bilan de l'attaque nocturne sur Tchernihiv s'est alourdi à vingt blessés, dont "
            "quatre enfants, a indiqué le gouverneur. Un adolescent avait été tué dans l'incendie "
            "d'un entrepôt.",
            "Dans la nuit de mardi à mercredi, la Russie a lancé 33 drones sur Tchernihiv. Trois "
            "personnes ont été tuées et huit blessées, selon un premier bilan.",
        ),
    )
    assert kinds(events) == ["Air/drone strike"]
    assert value(events[0].injured) == 20 and value(events[0].killed) == 3


def test_live_update_on_kherson_joins_the_drone_strike(enricher: Enricher) -> None:
    events = headed(
        enricher,
        live(
            "une nuit de drones sur Kherson, deux morts et douze blessés",
            "le bilan de l'attaque sur Kherson s'est alourdi à douze blessés, dont deux enfants, "
            "selon l'administration militaire. Un retraité avait été tué dans l'incendie de son "
            "garage.",
            "Les forces russes ont lancé 22 drones sur Kherson dans la nuit. Deux civils ont été "
            "tués et cinq blessés, selon un premier bilan.",
        ),
    )
    assert kinds(events) == ["Air/drone strike"]
    assert value(events[0].injured) == 12 and value(events[0].launched) == 22


def test_guard_drone_headline_does_not_join_a_bomb_strike(enricher: Enricher) -> None:
    events = headed(
        enricher,
        live(
            "une nuit de drones sur Kharkiv, un mort et neuf blessés",
            "le bilan de l'attaque nocturne sur Kharkiv s'est alourdi à neuf blessés, dont deux "
            "enfants, a annoncé le gouverneur régional. Une femme avait été tuée dans l'incendie "
            "de son appartement.",
            "Deux bombes aériennes guidées russes ont été larguées sur Zolotchiv, au nord de "
            "Kharkiv. Deux hommes ont été blessés, selon l'administration militaire.",
        ),
    )
    assert len(events) == 2


def test_guard_unrevised_larger_toll_stays_apart(enricher: Enricher) -> None:
    # four dead the text never revises the strike's one dead to: another happening
    events = headed(
        enricher,
        live(
            "une nuit de drones sur Soumy, quatre morts et onze blessés",
            "le bilan de l'attaque nocturne sur Soumy s'est alourdi à onze blessés, dont deux "
            "enfants. Quatre hommes avaient été tués dans l'incendie d'un entrepôt.",
            "Dans la nuit de mardi à mercredi, la Russie a lancé 25 drones sur Soumy. Une "
            "personne a été tuée et trois blessées, selon un premier bilan.",
        ),
    )
    assert len(events) == 2


# --- class 3: a correction notice tells no event ---------------------------------------------


def test_correction_gives_the_ambush_no_author(enricher: Enricher) -> None:
    events = headed(
        enricher,
        "Syrie : deux soldats tués dans une embuscade près de Deir ez-Zor\n"
        "Correctif : une version précédente de cette dépêche attribuait l'embuscade de Mayadine à "
        "l'État islamique. Elle n'a pas été revendiquée.\n"
        "Deux soldats syriens ont été tués samedi dans une embuscade près de Mayadine, dans la "
        "province de Deir ez-Zor, a rapporté l'agence officielle.",
    )
    assert kinds(events) == ["Armed clash"]
    assert events[0].actor is None


def test_first_version_gives_the_blast_no_author(enricher: Enricher) -> None:
    events = headed(
        enricher,
        "Colombie : un policier tué par un engin explosif à Jamundí\n"
        "Rectificatif : la première version de cet article attribuait à l'ELN l'explosion "
        "survenue vendredi à Jamundí.\n"
        "Un policier a été tué vendredi par l'explosion d'un engin explosif au passage d'une "
        "patrouille à Jamundí, dans le Valle del Cauca, selon la police.",
    )
    assert kinds(events) == ["Remote explosive/landmine/IED"]
    assert events[0].actor is None


def test_earlier_version_gives_the_strike_no_author(enricher: Enricher) -> None:
    events = headed(
        enricher,
        "Somalie : un convoi visé par une frappe de drone près de Jilib\n"
        "Correctif : une version antérieure de cette dépêche attribuait aux forces américaines la "
        "frappe de drone de lundi contre un convoi près de Jilib.\n"
        "Une frappe de drone a visé lundi un convoi des shebab près de Jilib, tuant six "
        "combattants, selon des sources locales.",
    )
    assert kinds(events) == ["Air/drone strike"]
    assert events[0].actor is None


def test_earlier_version_gives_the_strike_no_place(enricher: Enricher) -> None:
    events = headed(
        enricher,
        "Yémen : frappe de drone sur Marib\n"
        "Correctif : une version antérieure de cet article situait à Saada la frappe de drone de "
        "mardi.\n"
        "Une frappe de drone a touché mardi un dépôt de carburant à Marib, selon des sources "
        "locales.",
    )
    assert kinds(events) == ["Air/drone strike"]
    assert [p.id for p in events[0].places] == ["marib"]


def test_initial_version_tells_no_rocket_attack(enricher: Enricher) -> None:
    events = headed(
        enricher,
        "Pakistan : attaque contre un poste de police à Bannu\n"
        "Précision : la version initiale de cette dépêche indiquait que les assaillants avaient "
        "attaqué mercredi le poste de Bannu avec des roquettes.\n"
        "Des hommes armés ont attaqué jeudi un poste de police à Bannu, tuant trois policiers, "
        "selon les autorités.",
    )
    assert kinds(events) == ["Armed clash"]


def test_guard_a_version_of_the_facts_is_no_correction(enricher: Enricher) -> None:
    events = headed(
        enricher,
        "Mali : nouvelle version du bilan de l'attaque de Boulkessi\n"
        "Des jihadistes ont attaqué dimanche le camp de Boulkessi, tuant neuf soldats, selon une "
        "version des faits donnée par l'armée.",
    )
    assert kinds(events) == ["Armed clash"]
    assert value(events[0].killed) == 9


def test_guard_first_version_of_the_facts_keeps_the_attack(enricher: Enricher) -> None:
    # "la première publiée" qualifies no version next to it: the attack stays
    events = headed(
        enricher,
        "Niger : la précédente attaque de Tillabéri\n"
        "Des hommes armés ont attaqué lundi le village de Tera, tuant quatre civils. Cette "
        "version des faits, la première publiée par les autorités, n'a pas été confirmée.",
    )
    assert "Attack" in kinds(events)
    assert value(next(e for e in events if e.sub_event_type == "Attack").killed) == 4
