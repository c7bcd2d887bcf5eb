"""Interactions on unseen news (helper I, round 13). Each test is one class, on sentences
composed for the test (none comes from a gold set), read through the real model (`enricher`
fixture of conftest) before the incident merge.
"""

from __future__ import annotations

import pytest
from helpers import mentions

from enrich.pipeline import Enricher
from vigie.core.models import Event


def of_type(events: list[Event], sub_event_type: str) -> list[Event]:
    return [e for e in events if e.sub_event_type == sub_event_type]


def parties(event: Event) -> set[str]:
    return {r.id for r in (event.actor, event.target) if r is not None}


# --- A call addressed to no one to a protest, a march, a strike or to demonstrate is the protest
# --- planned by its organisers (tests/gold/README.md: planned events are not reported), not a
# --- demand on a party.


@pytest.mark.parametrize(
    "text",
    [
        "Depuis Lomé, le Front citoyen appelle à manifester samedi devant le palais présidentiel.",
        "Les partis d'opposition ont appelé mercredi à un grand rassemblement à Conakry.",
        "Le Parti démocratique du Kurdistan a appelé jeudi à des manifestations dans toutes les villes de "
        "la région.",
        "Le Hamas a appelé à une mobilisation générale en Cisjordanie vendredi.",
        "Le Mouvement du 23 mars appelle à la grève dans les territoires qu'il contrôle.",
        # the day read as the object, the gathering hung on it
        "Le mouvement M62 appelait dimanche à un rassemblement pacifique dans les rues de Niamey.",
    ],
)
def test_a_call_to_mobilise_is_no_request(enricher: Enricher, text: str) -> None:
    assert not of_type(mentions(enricher, text), "REQUEST")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a call on a party names its addressee, even when what it asks concerns a march
        (
            "Le Front citoyen a appelé le gouvernement togolais à autoriser la marche de samedi.",
            {"togo"},
        ),
        ("Le Hamas a appelé l'Égypte et le Qatar à faire pression sur Israël.", {"hamas", "egypte"}),
        # a call for a truce is a demand, not a mobilisation
        ("L'ONU appelle à un cessez-le-feu immédiat au Soudan.", {"onu", "soudan"}),
    ],
)
def test_a_call_on_a_party_stays_a_request(enricher: Enricher, text: str, expected: set[str]) -> None:
    requests = of_type(mentions(enricher, text), "REQUEST")
    assert len(requests) == 1
    assert expected <= parties(requests[0])


# --- A meeting for which nothing is set ("aucune date n'a été fixée pour un sommet") is none:
# --- the future of a meeting is news only once it is scheduled.


@pytest.mark.parametrize(
    "text",
    [
        "Le Kremlin a indiqué qu'aucune date n'avait encore été arrêtée pour une rencontre entre Vladimir "
        "Poutine et Donald Trump.",
        "Rien n'est encore prévu pour un entretien entre Emmanuel Macron et Xi Jinping, selon l'Élysée.",
        "Aucune date n'a encore été retenue pour la réunion entre Ilham Aliev et Nikol Pachinian, a précisé "
        "Bakou.",
        "Selon Ankara, rien n'a encore été décidé pour des pourparlers entre Recep Tayyip Erdogan et "
        "Vladimir Poutine.",
        "Pas de date n'a été arrêtée pour une rencontre entre William Ruto et Yoweri Museveni.",
    ],
)
def test_a_meeting_nothing_is_set_for_is_none(enricher: Enricher, text: str) -> None:
    assert not of_type(mentions(enricher, text), "CONSULT")


@pytest.mark.parametrize(
    "text",
    [
        # the negation is the toll's, the meeting took place
        "Aucune victime n'a été signalée lors de la réunion entre le Hamas et le Fatah au Caire.",
        "Aucun soldat n'a été blessé lors de la rencontre entre les délégations russe et ukrainienne à "
        "Istanbul.",
        # a meeting set for a day is news
        "Une réunion entre Nicolás Maduro et Gustavo Petro est prévue pour jeudi à Caracas.",
    ],
)
def test_a_held_or_set_meeting_stays(enricher: Enricher, text: str) -> None:
    assert len(of_type(mentions(enricher, text), "CONSULT")) == 1


# --- "Les deux dirigeants", "les deux chefs": sides counted by a noun of people stand for the last
# --- two people named together ("X et Y se sont parlé"), not for states or a person named alone.


@pytest.mark.parametrize(
    ("text", "sides"),
    [
        (
            "Le président américain Donald Trump et Vladimir Poutine se sont parlé au téléphone mardi. Les "
            "deux dirigeants sont convenus d'un échange de 300 prisonniers de guerre.",
            {"donald-trump", "vladimir-poutine"},
        ),
        (
            "Emmanuel Macron et Olaf Scholz ont dîné ensemble à Paris. Les deux dirigeants se sont entendus "
            "sur un calendrier pour la défense européenne.",
            {"emmanuel-macron", "olaf-scholz"},
        ),
        (
            "Recep Tayyip Erdogan et Ilham Aliev ont échangé mercredi. Les deux responsables ont convenu de "
            "renforcer leurs patrouilles.",
            {"recep-tayyip-erdogan", "surface:ilham aliev"},
        ),
        (
            "Le président Paul Kagame et Félix Tshisekedi se sont retrouvés à Doha. Au terme de la discussion, "
            "à laquelle assistait l'émir Tamim ben Hamad Al Thani, les deux dirigeants se sont accordés sur "
            "une trêve.",
            {"surface:paul kagame", "surface:félix tshisekedi"},
        ),
    ],
)
def test_two_leaders_counted_are_the_pair_named(enricher: Enricher, text: str, sides: set[str]) -> None:
    agreements = of_type(mentions(enricher, text), "AGREE")
    assert [parties(e) for e in agreements] == [sides]


@pytest.mark.parametrize(
    ("text", "sides"),
    [
        # no people named together: the states named before
        (
            "Le Tchad et le Soudan ont négocié mardi. Les deux dirigeants sont convenus d'un échange de "
            "prisonniers.",
            {"tchad", "soudan"},
        ),
        (
            "Des émissaires du Niger et du Bénin se sont vus à Cotonou. Les deux pays sont convenus de "
            "rouvrir la frontière.",
            {"niger", "benin"},
        ),
    ],
)
def test_counted_states_stay(enricher: Enricher, text: str, sides: set[str]) -> None:
    agreements = of_type(mentions(enricher, text), "AGREE")
    assert [parties(e) for e in agreements] == [sides]
