"""Spurious events on unseen news (issue 14, events precision): what an article tells after an
incident that belongs to it. Each test is one class, on sentences composed for the test (none
comes from a gold set), read through the real model and the incident merge
(`Enricher.analyse_text`), or the extractor's mentions (`Enricher.mentions_of_text`).
"""

from __future__ import annotations

from datetime import datetime

import pytest
from helpers import incidents, mentions

from enrich.events.repair import promote_finite_verbs
from enrich.pipeline import Enricher
from vigie.core.models import Event

PUBLISHED = datetime.fromisoformat("2025-09-17T10:00:00+02:00")


def sub_types(events: list[Event]) -> list[str]:
    return [e.sub_event_type for e in events]


# --- Measures and findings after an incident (a curfew, weapons seized) are part of it.


@pytest.mark.parametrize(
    "text",
    [
        "Des hommes armés ont tué six villageois mardi près de Kaduna. "
        "Un couvre-feu de 48 heures a été instauré dans la localité.",
        "Au moins quatre soldats ont été tués jeudi dans une embuscade près de Tillabéri. "
        "Le gouverneur a décrété l'état d'urgence dans toute la région.",
        "Deux policiers ont été tués dimanche dans une attaque à Karachi, au Pakistan. "
        "Les autorités provinciales ont imposé un couvre-feu dans trois quartiers.",
        "La police kényane a arrêté douze suspects lundi à Mombasa. "
        "Trois pistolets et des munitions ont été saisis lors de l'opération.",
        "Des soldats ont tué cinq insurgés mercredi lors d'un accrochage près de Palma, au Mozambique. "
        "Quatre fusils d'assaut et des grenades ont été saisis par la troupe.",
    ],
)
def test_a_measure_or_a_finding_after_an_incident_is_part_of_it(enricher: Enricher, text: str) -> None:
    found = sub_types(incidents(enricher, text, PUBLISHED))
    assert found, found
    assert "Other" not in found and "Disrupted weapons use" not in found, found


@pytest.mark.parametrize(
    "text",
    [
        "Les autorités ont instauré un couvre-feu nocturne à Conakry.",
        "Les douaniers ont saisi un important stock d'armes à Dakar.",
    ],
)
def test_a_measure_or_a_finding_told_alone_is_news(enricher: Enricher, text: str) -> None:
    assert sub_types(mentions(enricher, text, PUBLISHED)) in (["Other"], ["Disrupted weapons use"])


# --- The people of an incident named again (a pronoun, "les assaillants", "deux ravisseurs")
# tell that incident again: a witness's account, its consequences, the fate of its authors.


@pytest.mark.parametrize(
    "text",
    [
        "Boko Haram a tué six pêcheurs mardi sur les rives du lac Tchad. « Ils ont tiré sur tous ceux qui "
        "tentaient de fuir », raconte un rescapé. La veille, l'armée avait bombardé des positions du groupe "
        "à l'artillerie.",
        "Au moins dix personnes ont été tuées lundi lors d'une attaque contre un marché près de Gao. "
        "Les assaillants ont ensuite incendié un camion de l'armée.",
        "Des combattants ont tué quatre agriculteurs samedi près de Djibo. "
        "Les tireurs ont aussi blessé deux soldats venus en renfort.",
        "Des rebelles ont enlevé douze écoliers mercredi près de Kaduna. Les ravisseurs ont tué un gardien de l'école.",
        "Des insurgés ont tué six policiers lundi dans une attaque contre un commissariat de Cabo Delgado. "
        "Les assaillants ont pillé l'armurerie avant de s'enfuir.",
        "Des miliciens ont attaqué dimanche un camp de déplacés en Ituri, tuant onze personnes. "
        "Les agresseurs, arrivés à pied, ont pillé les réserves de nourriture avant de fuir.",
    ],
)
def test_the_people_of_an_incident_named_again_tell_it_again(enricher: Enricher, text: str) -> None:
    found = incidents(enricher, text, PUBLISHED)
    violent = [e for e in found if e.event_type != "Strategic developments" or "Looting" in e.sub_event_type]
    assert len(violent) == 1, [(e.sub_event_type, e.trigger) for e in found]


@pytest.mark.parametrize(
    "text",
    [
        "Les shebab ont tué six soldats lundi dans une embuscade près de Baidoa. "
        "L'attaque a été revendiquée mardi par le Front de libération du Jubaland.",
        "Les rebelles de la NPA ont tué deux soldats samedi dans une embuscade près de Catarman. "
        "L'attaque a été revendiquée dimanche par le front Rodante Urbiztondo.",
    ],
)
def test_a_claim_of_the_attack_told_is_that_attack(enricher: Enricher, text: str) -> None:
    found = incidents(enricher, text, PUBLISHED)
    assert len(found) == 1, [(e.sub_event_type, e.actor, [m.trigger for m in e.mentions]) for e in found]


@pytest.mark.parametrize(
    "text",
    [
        # people introduced anew, or another day: another incident
        "Des hommes armés ont tué six villageois mardi près de Kaduna. "
        "Mercredi, des assaillants ont attaqué le village voisin de Kauru, tuant trois personnes.",
        "Un drone a frappé lundi un marché de Kharkiv, tuant deux civils. "
        "Le lendemain, des assaillants ont tué quatre soldats dans une embuscade près d'Izioum.",
    ],
)
def test_people_introduced_anew_tell_another_incident(enricher: Enricher, text: str) -> None:
    assert len(incidents(enricher, text, PUBLISHED)) == 2, [
        (e.sub_event_type, e.trigger) for e in incidents(enricher, text, PUBLISHED)
    ]


# --- A clause in the pluperfect with no day of the story tells what came before the news.


@pytest.mark.parametrize(
    "text",
    [
        "Des combats ont opposé lundi l'armée aux rebelles près de Goma. "
        "Bunia avait été pillée par des miliciens pendant la guerre civile.",
        "Une frappe de drone a tué trois civils mardi à Kherson. "
        "L'attentat de Kramatorsk, qui avait coûté la vie à 60 personnes, avait choqué le pays.",
        "Des hommes armés ont tué six villageois mercredi dans le Zamfara. "
        "Les ravisseurs avaient enlevé des centaines d'écoliers dans la région.",
        "Un drone a frappé jeudi un dépôt de carburant à Belgorod. "
        "L'Ukraine avait bombardé la ville à l'artillerie pendant l'offensive.",
        "Les jihadistes ont tué quatre soldats samedi près de Menaka. "
        "Les deux assaillants avaient prêté allégeance au groupe Etat islamique.",
    ],
)
def test_a_pluperfect_clause_without_a_day_is_background(enricher: Enricher, text: str) -> None:
    second = text.index(". ") + 2
    found = mentions(enricher, text, PUBLISHED)
    assert found and all(e.sentence_start < second for e in found), [
        (e.sub_event_type, e.trigger) for e in found
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Des jihadistes ont tué quatre soldats samedi près de Menaka. "
        "La veille, des soldats avaient tué trois jihadistes près de Gao.",
        "Un drone a frappé jeudi un dépôt de carburant à Belgorod. "
        "Quelques heures plus tôt, l'Ukraine avait bombardé le port de Novorossiisk.",
        "Des combats ont éclaté lundi près de Goma. "
        "L'armée a affirmé que des rebelles avaient attaqué un camp de déplacés près de Sake.",
        "Des combats ont éclaté lundi près de Goma. "
        "Deux jours avant cette offensive, Kinshasa avait imposé des sanctions au Rwanda.",
    ],
)
def test_a_pluperfect_clause_of_the_story_or_a_report_is_news(enricher: Enricher, text: str) -> None:
    second = text.index(". ") + 2
    found = mentions(enricher, text, PUBLISHED)
    assert any(e.sentence_start >= second for e in found), [(e.sub_event_type, e.trigger) for e in found]


# --- Events counted as a series in a sentence naming no day of the story summarise the past.


@pytest.mark.parametrize(
    "text",
    [
        "Un drone a frappé lundi un dépôt de carburant à Belgorod. L'Ukraine a mené de nombreuses frappes "
        "contre les raffineries russes, dont celle de Saratov en 2024.",
        "Des jihadistes ont tué quatre soldats samedi près de Menaka. "
        "Le groupe a perpétré plusieurs embuscades contre l'armée malienne dans la région.",
        "Des soldats ont tué cinq insurgés mercredi près de Palma. "
        "Les insurgés ont perpétré de nombreux raids contre des villages côtiers du Cabo Delgado.",
        "Les shebab ont tué quatre soldats vendredi près de Kismayo. "
        "Le groupe a revendiqué plusieurs attentats meurtriers à Mogadiscio, dont celui de l'hôtel Lido.",
        "Une frappe de drone a tué trois civils jeudi à Kherson. "
        "L'armée russe a mené plusieurs bombardements contre la ville depuis sa libération.",
    ],
)
def test_events_counted_as_a_series_without_a_day_are_background(enricher: Enricher, text: str) -> None:
    second = text.index(". ") + 2
    found = mentions(enricher, text, PUBLISHED)
    assert found and all(e.sentence_start < second for e in found), [
        (e.sub_event_type, e.trigger) for e in found
    ]


@pytest.mark.parametrize(
    "text",
    [
        "L'armée de l'air a mené lundi plusieurs frappes contre des camps rebelles près de Goma.",
        "Une série de frappes israéliennes a tué mercredi six personnes dans le sud du Liban.",
    ],
)
def test_a_series_on_a_day_is_news(enricher: Enricher, text: str) -> None:
    assert mentions(enricher, text, PUBLISHED)


# --- A headline announces what the text tells: its mention told again in the text (the same
# figure, else the same word) is typed and attributed as the text tells it, and folds into it.


@pytest.mark.parametrize(
    ("text", "count"),
    [
        (
            "Somalie : trois soldats tués par une bombe près de Kismayo\n\nTrois soldats ont été tués lundi "
            "lorsque leur véhicule a sauté sur un engin explosif près de Kismayo, a indiqué un officier.",
            1,
        ),
        (
            "Burkina Faso : deux civils tués par une frappe près de Djibo\n\nDeux civils ont été tués jeudi "
            "lorsqu'un engin explosif a explosé au passage de leur charrette près de Djibo.",
            1,
        ),
        (
            "Yémen : un cargo touché par un drone en mer Rouge, un pétrolier grec endommagé\n\nUn cargo battant "
            "pavillon libérien a été touché mardi par un drone houthi au large de Hodeïda, selon l'UKMTO.",
            1,
        ),
        (
            "Kenya : deux policiers tués par une bombe près de Garissa\n\nDeux policiers ont été tués lundi "
            "lorsque leur véhicule a roulé sur un engin explosif près de Garissa, selon la police.",
            1,
        ),
        (
            "Pakistan : six soldats tués par une bombe au Waziristan\n\nSix soldats pakistanais ont été tués "
            "mardi par l'explosion d'un engin explosif improvisé au passage de leur convoi au Waziristan du "
            "Nord, selon l'armée.",
            1,
        ),
    ],
)
def test_a_headline_told_again_in_the_text_is_the_text_event(
    enricher: Enricher, text: str, count: int
) -> None:
    found = incidents(enricher, text, PUBLISHED)
    assert len(found) == count, [(e.sub_event_type, [m.trigger for m in e.mentions]) for e in found]


# --- A past participle set off by commas describes the subject; the finite verb is the root.


@pytest.mark.parametrize(
    ("text", "verb"),
    [
        (
            "Les miliciens, venus à pied depuis les collines de Djugu, ont attaqué le camp de déplacés.",
            "attaqué",
        ),
        (
            "Les pirates, arrivés en vedette « vers minuit » depuis la côte somalienne, ont abordé le cargo.",
            "abordé",
        ),
        (
            "Les assaillants, arrivés à cheval « par dizaines » depuis les monts Mandara, ont tué le chef du village.",
            "tué",
        ),
        (
            "Les jihadistes, arrivés à moto depuis la forêt de Sambisa, ont enlevé une vingtaine de femmes.",
            "enlevé",
        ),
    ],
)
def test_a_participle_set_off_by_commas_is_not_the_root(enricher: Enricher, text: str, verb: str) -> None:
    doc = enricher.nlp(text)
    promote_finite_verbs(doc)
    assert next(iter(doc.sents)).root.text == verb
