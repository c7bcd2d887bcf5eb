"""Error classes of the events read on news nobody had tuned on (issue 14, heldout3 and heldout4
read as dev sets): each test is one class, on sentences composed for the test (none comes from
a gold set). Read through `Enricher.mentions_of_text` (mentions before the conflict gate and
before folding into incidents) or `Enricher.analyse_text` (incidents), with the real model.
"""

from __future__ import annotations

from datetime import datetime

import pytest
from extraction import ids, one, types
from helpers import french_article, mentions

from enrich.events import default_lexicon
from enrich.events.repair import reattach_objects_of_days
from enrich.nlp import load_nlp
from enrich.pipeline import Enricher

PUBLISHED = datetime.fromisoformat("2025-06-12T09:30:00+02:00")


# --- The parser reads a day after a verb as its object and hangs the real object on it.


def test_an_object_hung_on_a_day_is_put_back_under_its_verb(enricher: Enricher) -> None:
    doc = load_nlp()("Le Canada a annoncé vendredi des sanctions contre trois commandants des milices.")
    reattach_objects_of_days(doc, default_lexicon())
    verb = next(t for t in doc if t.text == "annoncé")
    assert [c.text for c in verb.children if c.dep_ == "obj"] == ["sanctions"]
    assert next(t for t in doc if t.text == "vendredi").dep_ != "obj"
    sanction = one(mentions(enricher, doc.text, PUBLISHED), "SANCTION")
    assert ids(sanction.actor) == ("canada",)


def test_sanctions_announced_or_decided_are_sanctions(enricher: Enricher) -> None:
    text = "Les chefs de la diplomatie de l'Union européenne ont décidé de nouvelles sanctions contre la Biélorussie."
    sanction = one(mentions(enricher, text, PUBLISHED), "SANCTION")
    # the body whose ministers act, read through their title ("chefs de la diplomatie de l'UE")
    assert ids(sanction.actor, sanction.target) == ("union-europeenne", "bielorussie")


def test_the_parties_of_an_exchange_are_the_subjects_of_the_verb_it_complements(enricher: Enricher) -> None:
    text = "Selon Doha, le Hamas et Israël ont procédé dimanche à un nouvel échange de prisonniers à Gaza."
    agree = one(mentions(enricher, text, PUBLISHED), "AGREE")
    assert {agree.actor.id, agree.target.id} == {"hamas", "israel"}  # type: ignore[union-attr]
    # a noun adjunct ("en visite", "en échange") names no meeting
    visit = "En visite à Odessa, le président ukrainien a dénoncé les frappes russes de la nuit."
    assert "CONSULT" not in {e.sub_event_type for e in mentions(enricher, visit, PUBLISHED)}


# --- The type comes from the sentence, not from the article's other weapons.


def test_damage_done_by_armed_people_on_the_ground_is_their_attack(enricher: Enricher) -> None:
    text = (
        "Un drone a frappé une position de l'armée près de Goma. Plus tard, des miliciens ont "
        "incendié une vingtaine de maisons d'habitants dans un village voisin."
    )
    events = mentions(enricher, text, PUBLISHED)
    burned = next(e for e in events if e.trigger == "incendié")
    assert (burned.event_type, burned.sub_event_type) == ("Violence against civilians", "Attack")
    # a coordinated verb shares its first verb's subject
    both = mentions(
        enricher, "Des bandits ont tué trois villageois et incendié des greniers près de Gusau.", PUBLISHED
    )
    assert types(both) == {("Violence against civilians", "Attack")}


def test_people_executed_among_those_taken(enricher: Enricher) -> None:
    text = "Des jihadistes ont enlevé douze bergers près de Djibo et ont exécuté trois d'entre eux."
    executed = one(mentions(enricher, text, PUBLISHED), "Attack")
    assert executed.trigger == "exécuté"
    assert executed.killed is not None and executed.killed.value == 3


def test_a_sweep_by_security_forces_is_a_clash(enricher: Enricher) -> None:
    text = "Une opération de ratissage menée près de Djibo a permis de neutraliser six assaillants."
    clash = one(mentions(enricher, text, PUBLISHED), "Armed clash")
    assert clash.trigger == "ratissage"
    assert [p.id for p in clash.places] == ["djibo"]


def test_an_explosive_device_types_no_other_attack_of_the_article(enricher: Enricher) -> None:
    text = (
        "Mardi, un engin explosif improvisé a tué deux soldats près de Gao. Jeudi, le groupe a "
        "revendiqué une attaque contre la ville de Ménaka."
    )
    attack = next(e for e in mentions(enricher, text, PUBLISHED) if e.trigger == "attaque")
    assert (attack.event_type, attack.sub_event_type) == ("Battles", "Armed clash")


def test_a_bomb_set_off_is_an_explosive_device_a_kamikaze_s_a_suicide_bomb(enricher: Enricher) -> None:
    bombing = mentions(enricher, "Un attentat à la bombe a visé un marché de Maiduguri.", PUBLISHED)
    assert types(bombing) == {("Explosions/Remote violence", "Remote explosive/landmine/IED")}
    suicide = mentions(
        enricher, "Un kamikaze a fait exploser sa bombe devant une mosquée de Maiduguri.", PUBLISHED
    )
    assert types(suicide) == {("Explosions/Remote violence", "Suicide bomb")}


def test_a_participle_describing_the_subject_is_not_the_main_verb(enricher: Enricher) -> None:
    # parsed with "réclamant" as the root and "ont tué" as its adverbial clause
    text = "Des hommes se réclamant du JNIM ont tué quatre civils et incendié des boutiques à Djibo."
    assert types(mentions(enricher, text, PUBLISHED)) == {("Violence against civilians", "Attack")}
    # "se réclamer de" claims an allegiance: no demand
    claim = "Le groupe Zaïre, une milice se réclamant de la communauté hema, a rejeté toute responsabilité."
    assert mentions(enricher, claim, PUBLISHED) == []


# --- Reporting verbs, interactions and their complements.


def test_people_threatened_by_a_danger_are_no_threat(enricher: Enricher) -> None:
    text = (
        "Le Programme alimentaire mondial a averti mardi que des milliers de familles étaient "
        "menacées de famine au Darfour."
    )
    assert mentions(enricher, text, PUBLISHED) == []


def test_a_spokesman_whose_side_is_unknown_speaks_for_it(enricher: Enricher) -> None:
    text = "Le porte-parole des talibans, Moulvi Karimi, a averti que l'Afghanistan « riposterait » à toute nouvelle frappe."
    assert one(mentions(enricher, text, PUBLISHED), "THREATEN").trigger == "averti"


def test_a_call_whose_infinitive_hangs_on_the_object_s_participle(enricher: Enricher) -> None:
    text = (
        "Le président nigérian a appelé la force régionale déployée par la Cédéao à « protéger les civils »."
    )
    assert ids(one(mentions(enricher, text, PUBLISHED), "REQUEST").actor) == ("nigeria",)


def test_relief_carried_in_is_aid(enricher: Enricher) -> None:
    assert one(
        mentions(enricher, "L'Unicef a acheminé jeudi 40 tonnes de médicaments vers Goma.", PUBLISHED), "AID"
    )


def test_an_agreement_read_as_the_apposition_of_a_name(enricher: Enricher) -> None:
    text = (
        "Le gouvernement soudanais et les FSR ont signé lundi à Djeddah, sous l'égide de l'Arabie "
        "saoudite, un accord de trêve humanitaire."
    )
    agree = one(mentions(enricher, text, PUBLISHED), "AGREE")
    assert {agree.actor.id, agree.target.id} == {"soudan", "forces-de-soutien-rapide"}  # type: ignore[union-attr]


# --- Protests and riots.


def test_residents_blocking_a_road_protest_an_army_closing_it_does_not(enricher: Enricher) -> None:
    text = (
        "Mardi, des centaines d'habitants en colère ont bloqué la route nationale à l'entrée de "
        "Gusau pour dénoncer l'insécurité."
    )
    assert types(mentions(enricher, text, PUBLISHED)) == {("Protests", "Peaceful protest")}
    assert (
        mentions(enricher, "Jeudi, l'armée a bloqué la route nationale à l'entrée de Gusau.", PUBLISHED) == []
    )


def test_a_crowd_fighting_the_police_is_a_violent_demonstration(enricher: Enricher) -> None:
    text = "Plusieurs milliers de manifestants ont affronté les forces de l'ordre mardi à Nairobi."
    assert types(mentions(enricher, text, PUBLISHED)) == {("Riots", "Violent demonstration")}


# --- Background: cumulative totals and spans.


@pytest.mark.parametrize(
    "text",
    [
        "Au total, plus de 300 drones ont été lancés contre le pays entre jeudi et dimanche.",
        "Au total, plus de 900 drones ont été lancés par la Russie contre l'Ukraine depuis vendredi, selon Kiev.",
        "Au moins vingt soldats ont été tués dans des embuscades sur la même période, selon l'armée.",
    ],
)
def test_totals_over_a_span_are_background(enricher: Enricher, text: str) -> None:
    assert mentions(enricher, text, PUBLISHED) == []


def test_au_total_alone_still_sums_one_night(enricher: Enricher) -> None:
    strike = one(
        mentions(enricher, "Au total, sept drones ont été lancés contre Kharkiv dans la nuit.", PUBLISHED),
        "Air/drone strike",
    )
    assert strike.launched is not None and strike.launched.value == 7


# --- Parties.


def test_a_place_no_state_holds_is_no_target(enricher: Enricher) -> None:
    text = "Huit soldats ont été tués dans une attaque de Boko Haram sur une île du lac Tchad."
    clash = one(mentions(enricher, text, PUBLISHED), "Armed clash")
    assert ids(clash.actor) == ("boko-haram",)
    assert clash.target is None or clash.target.id != "lac-tchad"


def test_a_headline_attack_is_the_event_the_article_tells_not_its_other_weapons(enricher: Enricher) -> None:
    text = (
        "Niger : le groupe revendique l'attaque d'une base à Tillabéri\n\n"
        "Au moins dix soldats ont été tués lundi lors de l'attaque d'un poste de l'armée près de "
        "Tillabéri. Mardi, des roquettes ont frappé la ville de Diffa."
    )
    events = mentions(enricher, text, PUBLISHED)
    attacks = [e for e in events if e.trigger == "attaque"]
    assert len(attacks) == 2
    assert {(e.event_type, e.sub_event_type) for e in attacks} == {("Battles", "Armed clash")}
    rockets = next(e for e in events if e.trigger == "frappé")
    assert rockets.sub_event_type == "Shelling/artillery/missile attack"


# --- The conflict gate: a section's name opening the headline.


def test_a_headline_filed_under_a_culture_or_sport_section_is_no_conflict(enricher: Enricher) -> None:
    game = (
        "Jeu vidéo : avec « Tranchées », un studio lyonnais plonge le joueur dans la guerre\n\n"
        "Dans ce jeu de stratégie, le joueur commande une section de soldats sous les tirs "
        "d'artillerie. Il doit repousser une offensive de chars, tenir une position pendant une "
        "embuscade et abattre des drones kamikazes avec une mitrailleuse antiaérienne. Les "
        "combats s'inspirent de la guerre en Ukraine et des bombardements de Kharkiv."
    )
    doc = enricher.nlp(game)
    decision = enricher.gate.decide(doc)
    assert not decision.conflict
    assert any(r.startswith("rubric:culture") for r in decision.reasons)
    assert enricher.analyse_text(game).events == []
    # a dispatch opens with a place, even when a studio was hit
    strike = (
        "Ukraine : une frappe russe détruit un studio de jeu vidéo à Kharkiv\n\n"
        "Un missile russe a frappé mardi un immeuble de Kharkiv abritant un studio de jeu vidéo, "
        "tuant deux employés, selon le gouverneur de la région. Une autre frappe a visé un dépôt "
        "de carburant à Tchouhouïv, a précisé l'armée ukrainienne."
    )
    decision = enricher.gate.decide(enricher.nlp(strike))
    assert not any(r.startswith("rubric:") for r in decision.reasons)
    assert enricher.analyse_text(strike).events


def test_an_object_hung_on_a_day_behind_a_preposition(enricher: Enricher) -> None:
    doc = load_nlp()("Des combats opposent depuis dimanche l’armée aux rebelles du M23 près de Goma.")
    reattach_objects_of_days(doc, default_lexicon())
    verb = next(t for t in doc if t.text == "opposent")
    assert [c.text for c in verb.children if c.dep_ == "obj"] == ["armée"]


# --- What became of an event told just before; what an old description says.


def test_a_protest_the_police_dispersed_is_one_event_with_intervention(enricher: Enricher) -> None:
    told = (
        "Lundi, des centaines d'étudiants ont manifesté devant le rectorat de Dakar. La police a "
        "dispersé les manifestants à coups de gaz lacrymogène."
    )
    protests = [e for e in enricher.analyse_text(told, french_article(told, PUBLISHED)).events]
    assert [(e.event_type, e.sub_event_type) for e in protests] == [("Protests", "Protest with intervention")]
    # another protest, dispersed elsewhere, stays apart
    other = (
        "Lundi, des centaines d'étudiants ont manifesté devant le rectorat de Dakar. Mardi, la "
        "police a dispersé une manifestation de commerçants à Thiès."
    )
    assert types(mentions(enricher, other, PUBLISHED)) == {
        ("Protests", "Peaceful protest"),
        ("Protests", "Protest with intervention"),
    }


def test_an_old_day_describing_a_noun_does_not_date_the_sentence(enricher: Enricher) -> None:
    call = (
        "Le président ghanéen a appelé les Etats-Unis, garants de l'accord signé en mars 2023, "
        "à faire pression sur les rebelles."
    )
    assert one(mentions(enricher, call, PUBLISHED), "REQUEST").event_date == PUBLISHED.date()
    # what the old description tells stays as old
    shelled = "Kherson, reprise par l'armée ukrainienne en novembre 2022, a été bombardée mardi par l'artillerie russe."
    assert types(mentions(enricher, shelled, PUBLISHED)) == {
        ("Explosions/Remote violence", "Shelling/artillery/missile attack")
    }


# --- Targets and types read from the parties.


def test_an_armed_group_of_the_striking_state_s_own_country_is_its_target(enricher: Enricher) -> None:
    text = "Des frappes aériennes colombiennes ont visé des campements présumés de l'ELN dans le département d'Arauca."
    strike = one(mentions(enricher, text, PUBLISHED), "Air/drone strike")
    assert ids(strike.actor, strike.target) == ("colombie", "eln")


def test_a_state_s_attack_on_civilians_is_its_strike_with_the_article_s_weapons(enricher: Enricher) -> None:
    text = (
        "Trois civils ont été tués dans une attaque russe sur Kharkiv. Les drones ont aussi "
        "frappé plusieurs immeubles de Soumy."
    )
    attack = next(e for e in mentions(enricher, text, PUBLISHED) if e.trigger == "attaque")
    assert (attack.event_type, attack.sub_event_type) == ("Explosions/Remote violence", "Air/drone strike")
    # an armed group's attack on civilians stays an attack on civilians
    rebels = (
        "Trois civils ont été tués dans une attaque des rebelles sur Goma. Les drones ont aussi "
        "frappé plusieurs immeubles de Bunia."
    )
    attack = next(e for e in mentions(enricher, rebels, PUBLISHED) if e.trigger == "attaque")
    assert (attack.event_type, attack.sub_event_type) == ("Violence against civilians", "Attack")


def test_a_truce_entering_into_force_between_two_parties_is_their_agreement(enricher: Enricher) -> None:
    between = (
        "Une trêve négociée par le Qatar est entrée en vigueur dimanche entre l'armée soudanaise "
        "et les Forces de soutien rapide."
    )
    agree = one(mentions(enricher, between, PUBLISHED), "AGREE")
    assert (agree.event_type, agree.interaction) == ("Interaction", "AGREE")
    assert {agree.actor.id, agree.target.id} == {"forces-armees-soudanaises", "forces-de-soutien-rapide"}  # type: ignore[union-attr]
    # no party named: the development itself
    alone = mentions(enricher, "Le cessez-le-feu est entré en vigueur à Gaza.", PUBLISHED)
    assert types(alone) == {("Strategic developments", "Agreement")}
