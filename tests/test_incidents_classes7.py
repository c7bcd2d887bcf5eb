"""Incidents, round 13 (merge). Sentences written for these tests.

Class 2: a claim by one side that the same sentence says the other side denies ("X a revendiqué
la prise de A, ce que Y dément") is that side's unverified claim, no event (tests/gold/README.md:
reported events only): the incident merge drops the mentions read before the denial relative in
its clause (`merge._denied_claim`, parties.yaml `denied_claims`). A mention giving people killed
or injured stays (the denial covers who did it, not that it happened), and so do events of
another clause or sentence."""

from __future__ import annotations

import pytest
from helpers import incidents

from enrich.pipeline import Enricher

DENIED = [
    "Les rebelles du M23 ont affirmé jeudi s'être emparés de la localité de Kibirizi, ce que "
    "l'armée congolaise dément.",
    "L'armée soudanaise assure avoir repris le contrôle de la ville de Bara, ce que les Forces de "
    "soutien rapide ont démenti.",
    "Moscou a revendiqué dimanche la conquête du village de Novoselivka, dans la région de Donetsk, "
    "ce que l'état-major ukrainien conteste.",
    "Le Hezbollah affirme avoir abattu un drone israélien au-dessus de Nabatiyé, ce que l'armée "
    "israélienne nie.",
    "Selon le ministère russe de la Défense, les troupes russes ont pris la localité de Toretsk, ce "
    "que Kiev réfute.",
    "Les talibans disent avoir détruit trois postes pakistanais à la frontière, ce qu'Islamabad "
    "dément formellement.",
    "Le JNIM a revendiqué la prise du camp militaire de Boulkessi, ce que l'armée malienne rejette.",
]


@pytest.mark.parametrize("text", DENIED)
def test_a_claim_the_other_side_denies_is_no_event(enricher: Enricher, text: str) -> None:
    assert [(e.trigger, e.sub_event_type) for e in incidents(enricher, text)] == []


def test_a_toll_whose_attribution_is_denied_stays(enricher: Enricher) -> None:
    text = (
        "Trois civils ont été tués lundi par une frappe de drone à Kherson, que les autorités "
        "locales attribuent à l'armée russe, ce que Moscou dément."
    )
    found = incidents(enricher, text)
    assert [e.sub_event_type for e in found] == ["Air/drone strike"]
    assert found[0].killed is not None and found[0].killed.value == 3


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        (
            "Des drones ont frappé une raffinerie à Saratov dans la nuit ; Kiev accuse Moscou de "
            "mentir sur ses pertes, ce que le Kremlin dément.",
            "Air/drone strike",
        ),
        (
            "L'armée a repris mardi le village de Tambura, ce qui n'a pas été démenti par les rebelles.",
            "Government regains territory",
        ),
        (
            "Les rebelles ont pris la ville de Pibor mardi, a confirmé l'armée, qui dit avoir "
            "repoussé une contre-attaque.",
            "Non-state actor overtakes territory",
        ),
    ],
)
def test_events_outside_a_denied_claim_stay(enricher: Enricher, text: str, kind: str) -> None:
    assert kind in [e.sub_event_type for e in incidents(enricher, text)]
