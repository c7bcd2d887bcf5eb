"""Two error classes of the conflict gate (issue 14), on articles written for these tests:

- culture reviews (film, novel, exhibition, video game, play) retell a war in its own words,
  anchors included, and must be refused: the work's vocabulary (conflict_gate.yaml, domain
  culture) outweighs the war it tells;
- a real attack by armed people ("des éleveurs armés ont attaqué", "abattus par des inconnus
  armés") is conflict even when the article also names a drought, rains or a heat wave: the
  armed people anchor their sentence, so its violence words read literally and the context
  word cannot veto them.

And a guard: on the dev gold sets, every document with gold events passes the gate and every
document without is refused (but the few conflict pieces that report no event).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from spacy.language import Language

from enrich.entities import aggregate, doc_mentions
from enrich.gate import ConflictGate, GateDecision, default_gate
from enrich.kb import default_kb
from enrich.nlp import load_nlp

GOLD = Path(__file__).parent / "gold"


@pytest.fixture(scope="module")
def nlp() -> Language:
    return load_nlp()


@pytest.fixture(scope="module")
def gate() -> ConflictGate:
    return default_gate()


def decide(nlp: Language, gate: ConflictGate, text: str) -> GateDecision:
    kb = default_kb()
    doc = nlp(text)
    return gate.decide(doc, [e.type for e in aggregate(doc_mentions(doc, kb), kb)])


# ----------------------------------------------------------------------------- culture reviews

REVIEWS = {
    "film": (
        "Dans « Les Collines de Goma », en salles mercredi, le cinéaste belge Marc Delvaux suit une milice "
        "du Nord-Kivu pendant la guerre. Les combattants tendent une embuscade à un convoi de soldats "
        "congolais, puis bombardent un camp. La mise en scène ne détourne jamais le regard. On regrettera "
        "un épilogue trop long, mais le long métrage marque."
    ),
    "novel": (
        "Le romancier ukrainien Petro Lysenko publie « Sirènes », un roman sur le siège de Marioupol. Des "
        "soldats russes pilonnent la ville, une frappe aérienne détruit le théâtre, des civils meurent dans "
        "les caves. La parution, saluée par la critique, arrive en librairie jeudi. Le recueil de poésie "
        "qu'il avait écrit l'an passé avait déjà séduit."
    ),
    "exhibition": (
        "Au musée de l'Armée, l'exposition « Kaboul, vingt ans » retrace l'intervention occidentale en "
        "Afghanistan. Des fusils de talibans, un drone abattu et des photos d'embuscades accueillent le "
        "visiteur. La scénographie, sobre, fait dialoguer les témoignages de soldats et d'Afghans. Le "
        "vernissage a eu lieu mardi ; le commissaire d'exposition promet une rétrospective l'an prochain."
    ),
    "video game": (
        "Avec « Tranchées », le studio lillois Nordlicht signe un jeu vidéo de guerre saisissant. Le joueur "
        "incarne un soldat pris sous les obus de l'artillerie, qui doit ramper jusqu'aux lignes ennemies et "
        "abattre les mitrailleuses. La jouabilité, à la manette comme au clavier, est irréprochable et le "
        "graphisme soigné. Un coup de cœur."
    ),
    "shooter game": (
        "« Ligne Rouge » : le nouveau jeu de tir à la première personne du studio suédois Frostline "
        "plonge le joueur dans l'offensive d'une armée imaginaire contre une capitale assiégée. Missiles de "
        "croisière, drones kamikazes et colonnes de chars : le moteur graphique impressionne. Mais le mode "
        "campagne s'essouffle et les rebondissements se devinent de loin. Trois étoiles."
    ),
    "series": (
        "La série « Checkpoint », diffusée depuis lundi, suit une patrouille de casques bleus au Liban-Sud. "
        "Le capitaine, interprété par Karim Haddad, perd deux hommes dans une embuscade dès le premier "
        "épisode, et les tirs d'artillerie résonnent à chaque scène. À l'écran, la tension ne retombe "
        "jamais dans cette première saison ; seul le dernier acte, trop bavard, déçoit."
    ),
    "play": (
        "Sur scène, six comédiens rejouent l'attentat contre un bus de Jérusalem et les représailles qui "
        "suivirent. La metteuse en scène Noa Levi, applaudie longuement samedi, mêle témoignages de soldats "
        "et de militants armés. La pièce de théâtre sera reprise à Lyon cet automne."
    ),
}


@pytest.mark.parametrize("kind", sorted(REVIEWS))
def test_a_review_of_a_war_work_is_refused(nlp: Language, gate: ConflictGate, kind: str) -> None:
    decision = decide(nlp, gate, REVIEWS[kind])
    assert not decision.conflict, decision.reasons
    assert any(reason.startswith("culture:") for reason in decision.reasons)


# ----------------------------------------------------------------------------- armed people

ARMED = {
    "herders, active, drought": (
        "Nigeria : des bergers armés ont attaqué samedi un village de l'État de Benue, tuant douze paysans. "
        "Les habitants ont fui vers la ville voisine. La sécheresse pousse chaque année les troupeaux plus "
        "au sud, selon les autorités locales."
    ),
    "unknown men, passive agent, rains": (
        "Mardi soir, quatre chauffeurs de camion ont été abattus par des inconnus armés sur la route entre "
        "Gao et Ansongo. Deux autres ont été blessés. Les pluies de la saison ont rendu cette piste presque "
        "impraticable, expliquent les transporteurs."
    ),
    "settlers, noun complement, heat wave": (
        "Une attaque de colons armés a fait un mort lundi près de Naplouse. Les récoltes d'olives, déjà "
        "réduites par la canicule et la sécheresse, ont été abandonnées. Les prix de l'huile ont encore "
        "augmenté."
    ),
    "villagers with machetes, number in words": (
        "Vingt-trois personnes ont été tuées jeudi dans le nord-ouest du pays quand des villageois armés de "
        "machettes et de fusils ont pris d'assaut un marché. Le conflit porte sur l'accès à l'eau, rare "
        "depuis la sécheresse. Le gouverneur a décrété un deuil de trois jours."
    ),
}


@pytest.mark.parametrize("kind", sorted(ARMED))
def test_armed_people_attacking_pass_despite_a_weather_word(
    nlp: Language, gate: ConflictGate, kind: str
) -> None:
    decision = decide(nlp, gate, ARMED[kind])
    assert decision.conflict, decision.reasons
    assert any(reason.startswith("conflict:") and " armé x" in reason for reason in decision.reasons)


def test_armed_concrete_is_no_armed_actor(nlp: Language, gate: ConflictGate) -> None:
    decision = decide(
        nlp,
        gate,
        "Le nouveau pont a été construit en béton armé. Les travaux ont duré deux ans et la pluie a "
        "retardé le chantier. Le maire a inauguré l'ouvrage samedi.",
    )
    assert not decision.conflict
    assert not any(" armé x" in reason and reason.startswith("conflict:") for reason in decision.reasons)


def test_a_cue_phrase_keeps_its_armed_word(nlp: Language, gate: ConflictGate) -> None:
    """ "hommes armés" is a cue phrase: it counts once, not again as armed people."""
    decision = decide(nlp, gate, "Des hommes armés ont enlevé dimanche trois enseignants près de Kaduna.")
    assert decision.conflict
    assert not any(reason.startswith("conflict:homme armé") for reason in decision.reasons)


# ----------------------------------------------------------------------------- guard on dev sets

# Dev gold sets (never the held-out ones being written) and their documents without gold events
# that are still about conflict (the gate lets them through; the extractor finds no event).
DEV_SETS = {
    "heldout2": set(),
    "heldout3": set(),
    "heldout4": set(),
    "heldout5": set(),
    "heldout6": {"s23"},
    "heldout7": set(),
    "heldout8": set(),
    "dev2": set(),
    "extra": set(),
}


@pytest.mark.parametrize("name", sorted(DEV_SETS))
def test_dev_sets_event_documents_pass_and_decoys_are_refused(
    nlp: Language, gate: ConflictGate, name: str
) -> None:
    root = GOLD / name
    if not (root / "gold.json").exists():
        pytest.skip(f"no gold set {name}")
    documents = json.loads((root / "gold.json").read_text(encoding="utf-8"))["documents"]
    paths = {path.name.split("_")[0]: path for path in (root / "texts").glob("*.txt")}
    wrong = []
    for document in documents:
        decision = decide(nlp, gate, paths[document["doc"]].read_text(encoding="utf-8"))
        expected = bool(document.get("events")) or document["doc"] in DEV_SETS[name]
        if decision.conflict != expected:
            wrong.append((document["doc"], decision.reasons))
    assert not wrong
