"""Error classes of the events read on news nobody had tuned on (issue 14, heldout3 and heldout4
read as dev sets): each test is one class, on sentences composed for the test (none comes from
a gold set). Read through `Enricher.mentions_of_text` (mentions before the conflict gate and
before folding into incidents) or `Enricher.analyse_text` (incidents), with the real model.
"""

from __future__ import annotations

from datetime import datetime

import pytest
from helpers import french_article

from enrich.events import default_lexicon
from enrich.events.repair import reattach_objects_of_days
from enrich.nlp import load_nlp
from enrich.pipeline import Enricher
from vigie.core.models import Event

PUBLISHED = datetime.fromisoformat("2025-06-12T09:30:00+02:00")


@pytest.fixture(scope="module")
def enricher() -> Enricher:
    return Enricher()


def mentions(enricher: Enricher, text: str) -> list[Event]:
    return enricher.mentions_of_text(text, french_article(text, PUBLISHED))


def types(events: list[Event]) -> set[tuple[str, str]]:
    return {(e.event_type, e.sub_event_type) for e in events}


def one(events: list[Event], sub_event_type: str) -> Event:
    found = [e for e in events if e.sub_event_type == sub_event_type]
    assert len(found) == 1, [(e.sub_event_type, e.trigger) for e in events]
    return found[0]


def ids(*refs: object) -> tuple[str | None, ...]:
    return tuple(getattr(r, "id", None) for r in refs)


# --- The parser reads a day after a verb as its object and hangs the real object on it.


def test_an_object_hung_on_a_day_is_put_back_under_its_verb(enricher: Enricher) -> None:
    doc = load_nlp()("Le Canada a annoncé vendredi des sanctions contre trois commandants des milices.")
    reattach_objects_of_days(doc, default_lexicon())
    verb = next(t for t in doc if t.text == "annoncé")
    assert [c.text for c in verb.children if c.dep_ == "obj"] == ["sanctions"]
    assert next(t for t in doc if t.text == "vendredi").dep_ != "obj"
    sanction = one(mentions(enricher, doc.text), "SANCTION")
    assert ids(sanction.actor) == ("canada",)


def test_sanctions_announced_or_decided_are_sanctions(enricher: Enricher) -> None:
    text = "Les chefs de la diplomatie de l'Union européenne ont décidé de nouvelles sanctions contre la Biélorussie."
    sanction = one(mentions(enricher, text), "SANCTION")
    # the body whose ministers act, read through their title ("chefs de la diplomatie de l'UE")
    assert ids(sanction.actor, sanction.target) == ("union-europeenne", "bielorussie")


def test_the_parties_of_an_exchange_are_the_subjects_of_the_verb_it_complements(enricher: Enricher) -> None:
    text = "Selon Doha, le Hamas et Israël ont procédé dimanche à un nouvel échange de prisonniers à Gaza."
    agree = one(mentions(enricher, text), "AGREE")
    assert {agree.actor.id, agree.target.id} == {"hamas", "israel"}  # type: ignore[union-attr]
    # a noun adjunct ("en visite", "en échange") names no meeting
    visit = "En visite à Odessa, le président ukrainien a dénoncé les frappes russes de la nuit."
    assert "CONSULT" not in {e.sub_event_type for e in mentions(enricher, visit)}


# --- The type comes from the sentence, not from the article's other weapons.


def test_damage_done_by_armed_people_on_the_ground_is_their_attack(enricher: Enricher) -> None:
    text = (
        "Un drone a frappé une position de l'armée près de Goma. Plus tard, des miliciens ont "
        "incendié une vingtaine de maisons d'habitants dans un village voisin."
    )
    events = mentions(enricher, text)
    burned = next(e for e in events if e.trigger == "incendié")
    assert (burned.event_type, burned.sub_event_type) == ("Violence against civilians", "Attack")
    # a coordinated verb shares its first verb's subject
    both = mentions(enricher, "Des bandits ont tué trois villageois et incendié des greniers près de Gusau.")
    assert types(both) == {("Violence against civilians", "Attack")}


def test_people_executed_among_those_taken(enricher: Enricher) -> None:
    text = "Des jihadistes ont enlevé douze bergers près de Djibo et ont exécuté trois d'entre eux."
    executed = one(mentions(enricher, text), "Attack")
    assert executed.trigger == "exécuté"
    assert executed.killed is not None and executed.killed.value == 3


def test_a_sweep_by_security_forces_is_a_clash(enricher: Enricher) -> None:
    text = "Une opération de ratissage menée près de Djibo a permis de neutraliser six assaillants."
    clash = one(mentions(enricher, text), "Armed clash")
    assert clash.trigger == "ratissage"
    assert [p.id for p in clash.places] == ["djibo"]


def test_an_explosive_device_types_no_other_attack_of_the_article(enricher: Enricher) -> None:
    text = (
        "Mardi, un engin explosif improvisé a tué deux soldats près de Gao. Jeudi, le groupe a "
        "revendiqué une attaque contre la ville de Ménaka."
    )
    attack = next(e for e in mentions(enricher, text) if e.trigger == "attaque")
    assert (attack.event_type, attack.sub_event_type) == ("Battles", "Armed clash")


def test_a_bomb_set_off_is_an_explosive_device_a_kamikaze_s_a_suicide_bomb(enricher: Enricher) -> None:
    bombing = mentions(enricher, "Un attentat à la bombe a visé un marché de Maiduguri.")
    assert types(bombing) == {("Explosions/Remote violence", "Remote explosive/landmine/IED")}
    suicide = mentions(enricher, "Un kamikaze a fait exploser sa bombe devant une mosquée de Maiduguri.")
    assert types(suicide) == {("Explosions/Remote violence", "Suicide bomb")}
