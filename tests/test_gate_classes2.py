"""Three error classes of the conflict gate (issue 14, round 9), on articles written for these
tests (none is a gold sentence):

- low-intensity conflict: villagers or shepherds detained by foreign border guards, shots
  exchanged between border guards, coast guards seizing a boat near a disputed line. Border and
  coast guards are armed forces (anchors of conflict_gate.yaml), a demarcation line or an
  occupied territory is the conflict's geography; such a dispatch names no strike and few
  soldiers, and was refused;
- an institution named with a demonym in between ("le ministre estonien de la Défense", "le
  ministère polonais de la Défense"): the cue reads literally through the noun that governs it
  (`literal.institution_heads`), where the fixed phrase "ministre de la défense" never matched;
- the imaginary war of a game, a novel or a series ("deux républiques fictives", "des unités
  virtuelles", "un pays imaginaire"): two distinct cues of the fiction domain frame the
  article, its conflict words then weigh a quarter (`frames`), so a review that describes
  battles at length stays out; one such word in a dispatch ("un sommet virtuel") frames nothing.

Each article is checked through the real model and the packaged gate, and against the gate data
of before this round (the same code reading `FORMER_DATA`) to show the class was failing. And a
guard: on the dev gold sets opened since round 5, the documents with gold events pass and the
decoys are refused.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from helpers import french_article

from enrich.entities import aggregate, doc_mentions
from enrich.gate import GATE_PATH, ConflictGate, GateDecision
from enrich.pipeline import Enricher

GOLD = Path(__file__).parent / "gold"


def decide(enricher: Enricher, gate: ConflictGate, text: str) -> GateDecision:
    doc = enricher.nlp(text)
    return gate.decide(doc, [e.type for e in aggregate(doc_mentions(doc, enricher.kb), enricher.kb)])


def _former_data() -> dict:
    """The packaged gate data without this round's additions (what the gate read before)."""
    data = yaml.safe_load(GATE_PATH.read_text(encoding="utf-8"))
    data.pop("frames", None)
    data["literal"].pop("institutions", None)
    data["other"] = [group for group in data["other"] if group["domain"] != "fiction"]
    new_words = {
        "garde-frontière", "garde-frontières", "gardes-frontière", "gardes-frontières", "garde-côte",
        "garde-côtes", "gardes-côte", "gardes-côtes", "parachutiste", "artilleur", "réserviste", "conscrit",
        "garde frontière", "gardes frontières", "garde côte", "gardes côtes", "tireur d'élite",
        "tireurs d'élite", "police militaire", "ligne de démarcation", "lignes de démarcation",
        "ligne de cessez-le-feu", "zone démilitarisée", "territoire occupé", "territoires occupés",
        "régions occupées", "région occupée", "base aérienne", "base militaire", "base navale",
        "jeu de stratégie", "jeux de stratégie",
    }  # fmt: skip
    for group in data["conflict"] + data["other"]:
        for key in ("lemmas", "phrases"):
            if key in group:
                group[key] = [cue for cue in group[key] if cue not in new_words]
    return data


@pytest.fixture(scope="module")
def gates(enricher: Enricher) -> tuple[ConflictGate, ConflictGate]:
    """(the packaged gate, the gate on the former data)."""
    return enricher.gate, ConflictGate(_former_data(), enricher.kb)


# ----------------------------------------------------------------------------- low intensity

BORDER = {
    "shepherds taken by border guards (Armenia)": (
        "Arménie : trois bergers emmenés par des gardes-frontières azerbaïdjanais\n\n"
        "EREVAN – Trois bergers arméniens ont été emmenés samedi matin par des gardes-frontières "
        "azerbaïdjanais alors qu'ils faisaient paître leurs moutons près du village de Tegh, dans la "
        "province de Syunik, a indiqué le service de sécurité nationale arménien.\n\n"
        "Erevan a exigé leur retour immédiat. Bakou affirme que les trois hommes avaient franchi la "
        "frontière. Aucun tracé n'a encore été fixé entre les deux pays."
    ),
    "shots between border guards (Central Asia)": (
        "Kirghizstan-Tadjikistan : échanges de tirs à la frontière, un garde blessé\n\n"
        "BICHKEK – Des tirs ont été échangés dimanche soir entre gardes-frontières kirghizes et "
        "tadjiks près du village de Kok-Tash, dans la région de Batken, a annoncé le service "
        "frontalier kirghize. Un garde a été blessé à la jambe.\n\n"
        "Douchanbé accuse la partie kirghize d'avoir installé une caméra sur un tronçon contesté. "
        "Les deux pays ont convenu lundi de retirer leurs patrouilles."
    ),
    "a fisherman held by coast guards (Baltic)": (
        "Un pêcheur estonien retenu par les garde-côtes russes sur le lac Peïpous\n\n"
        "TALLINN – Un pêcheur estonien a été conduit jeudi à Pskov par des garde-côtes russes qui "
        "l'accusent d'avoir pêché dans les eaux russes du lac Peïpous, selon sa famille, sans "
        "nouvelles depuis.\n\n"
        "Tallinn a convoqué le chargé d'affaires russe et demande son retour sans délai."
    ),
    "a demarcation line moved (Caucasus)": (
        "Abkhazie : des panneaux déplacés le long de la ligne de démarcation\n\n"
        "TBILISSI – Des panneaux ont été déplacés d'environ 300 mètres le long de la ligne de "
        "démarcation avec l'Abkhazie, près du village de Khurcha, selon les autorités géorgiennes. "
        "Deux familles ont perdu l'accès à leurs noisetiers.\n\n"
        "Le gouvernement géorgien a saisi les observateurs européens et dénonce une annexion "
        "rampante."
    ),
}


@pytest.mark.parametrize("name", sorted(BORDER))
def test_low_intensity_border_dispatches_pass(
    gates: tuple[ConflictGate, ConflictGate], enricher: Enricher, name: str
) -> None:
    gate, former = gates
    text = BORDER[name]
    decision = decide(enricher, gate, text)
    assert decision.conflict, decision.reasons
    assert not decide(enricher, former, text).conflict


# ----------------------------------------------------------------------------- institutions

INSTITUTIONS = {
    "Estonia, minister": (
        "Drones au-dessus d'Ämari : Tallinn demande des renforts\n\n"
        "TALLINN – Le ministre estonien de la Défense a demandé mardi à ses alliés des systèmes de "
        "détection supplémentaires après le survol, deux nuits de suite, de la base d'Ämari par "
        "plusieurs drones non identifiés. Aucun appareil n'a été intercepté."
    ),
    "Poland, ministry": (
        "Varsovie convoque l'ambassadeur biélorusse\n\n"
        "VARSOVIE – Le ministère polonais de la Défense a annoncé vendredi qu'un hélicoptère "
        "biélorusse avait franchi l'espace aérien polonais près de Białowieża. Varsovie a convoqué "
        "l'ambassadeur et renforcé la surveillance de la zone."
    ),
    "Lithuania, minister (feminine)": (
        "Drones au-dessus de Vilnius : l'aéroport fermé une nouvelle fois\n\n"
        "VILNIUS – La ministre lituanienne de la Défense a demandé jeudi des explications à Minsk "
        "après le passage d'une vingtaine de drones venus de Biélorussie, qui a fermé l'aéroport "
        "de Vilnius pendant quatre heures."
    ),
    "Norway, minister, inverted": (
        "Survols de drones près de la centrale d'Oslo\n\n"
        "OSLO – Des drones ont de nouveau survolé mardi un dépôt de munitions près de Rena, a "
        "indiqué le ministre norvégien de la Défense, qui a demandé à la police d'abattre tout "
        "appareil suspect. L'aéroport d'Oslo a suspendu ses vols pendant une heure."
    ),
}


@pytest.mark.parametrize("name", sorted(INSTITUTIONS))
def test_a_defence_ministry_named_with_its_demonym_anchors(
    gates: tuple[ConflictGate, ConflictGate], enricher: Enricher, name: str
) -> None:
    gate, former = gates
    text = INSTITUTIONS[name]
    decision = decide(enricher, gate, text)
    assert decision.conflict, decision.reasons
    assert not decide(enricher, former, text).conflict


# ----------------------------------------------------------------------------- fiction frame

FICTIONS = {
    "strategy game": (
        "« Front d'acier » : un jeu de stratégie sans temps mort\n\n"
        "Le studio bordelais Ferrum sort « Front d'acier », où le joueur défend la Morvanie, une "
        "république fictive envahie par un voisin tout aussi imaginaire. Dès la première heure, "
        "l'ennemi lance des vagues de drones kamikazes et des missiles de croisière sur vos "
        "positions ; les batteries antiaériennes doivent être bien placées. Une embuscade contre "
        "une colonne de blindés coûte la vie à vingt soldats virtuels. Les bombardements font "
        "trembler l'écran. Vendu 29,99 euros."
    ),
    "novel": (
        "Dans son roman « L'hiver de Sarvie », Hélène Ducret imagine la guerre civile d'un pays imaginaire des "
        "Balkans. Les milices bombardent la capitale, des soldats tendent une embuscade à un convoi "
        "humanitaire, un missile frappe l'hôpital. Cette guerre fictive, racontée par une "
        "infirmière, sonne juste. Les combattants des deux camps commettent des exécutions "
        "sommaires ; les civils fuient sous les obus."
    ),
    "series": (
        "Sur la plateforme, « Ligne Sud » raconte en huit épisodes le conflit fictif entre deux "
        "royaumes inventés, l'Astrie et la Volhynie virtuelle du scénario. Frappes aériennes, "
        "attentats, prises d'otages : les soldats de l'armée astrienne tombent dans une embuscade "
        "dès le premier épisode, et les bombardements rasent une ville entière."
    ),
    "wargame": (
        "Le club de Dijon a rejoué samedi une guerre imaginaire entre deux pays fictifs sur une "
        "table de six mètres. Chaque joueur commandait une armée : chars, artillerie, drones et "
        "missiles balistiques. L'assaut des parachutistes sur le pont a décidé de la bataille, "
        "après une embuscade contre un convoi de ravitaillement et le bombardement du quartier "
        "général adverse."
    ),
}


@pytest.mark.parametrize("name", sorted(FICTIONS))
def test_an_imaginary_war_is_framed_as_fiction(
    gates: tuple[ConflictGate, ConflictGate], enricher: Enricher, name: str
) -> None:
    gate, former = gates
    text = FICTIONS[name]
    decision = decide(enricher, gate, text)
    assert not decision.conflict, decision.reasons
    assert any(reason.startswith("frame:fiction") for reason in decision.reasons)
    assert decide(enricher, former, text).conflict
    # the whole enrichment keeps no event of the game's war
    article = french_article(text)
    assert enricher.enrich([article]) == [] and article.conflict is False


DISPATCHES_WITH_ONE_FICTION_WORD = (
    "Lors d'un sommet virtuel mardi, les dirigeants du G7 ont promis de nouvelles livraisons d'armes à "
    "l'Ukraine, au lendemain d'une frappe de missiles russes sur Kharkiv qui a tué six civils.",
    "L'armée soudanaise accuse les Forces de soutien rapide d'avoir créé des comptes fictifs pour "
    "revendiquer la prise d'El-Facher, où des combats ont fait au moins vingt morts lundi.",
    "« Cette menace est imaginaire », a répondu le ministre, alors que des soldats israéliens ont "
    "ouvert le feu sur un véhicule près de Jénine, tuant deux hommes.",
    "Des rebelles du M23 ont tendu une embuscade à un convoi de l'armée congolaise près de Goma ; "
    "Kinshasa dénonce un récit fictif de Kigali, qui nie tout soutien aux insurgés.",
)


@pytest.mark.parametrize("text", DISPATCHES_WITH_ONE_FICTION_WORD)
def test_one_fiction_word_frames_no_dispatch(
    gates: tuple[ConflictGate, ConflictGate], enricher: Enricher, text: str
) -> None:
    decision = decide(enricher, gates[0], text)
    assert decision.conflict, decision.reasons
    assert not any(reason.startswith("frame:") for reason in decision.reasons)


# ----------------------------------------------------------------------------- dev sets guard

# The dev gold sets opened since round 5 (never the held-out ones being written) and their
# documents without gold events that are still about conflict.
DEV_SETS = {
    "heldout9": set(),
    "heldout10": set(),
    "heldout11": set(),
    "heldout12": set(),
    "heldout13": set(),
    "heldout14": set(),
}


@pytest.mark.parametrize("name", sorted(DEV_SETS))
def test_dev_sets_event_documents_pass_and_decoys_are_refused(enricher: Enricher, name: str) -> None:
    root = GOLD / name
    if not (root / "gold.json").exists():
        pytest.skip(f"no gold set {name}")
    documents = json.loads((root / "gold.json").read_text(encoding="utf-8"))["documents"]
    paths = {path.name.split("_")[0]: path for path in (root / "texts").glob("*.txt")}
    texts = [paths[document["doc"]].read_text(encoding="utf-8") for document in documents]
    wrong = []
    for document, doc in zip(documents, enricher.nlp.pipe(texts), strict=True):
        entities = aggregate(doc_mentions(doc, enricher.kb), enricher.kb)
        decision = enricher.gate.decide(doc, [e.type for e in entities])
        expected = bool(document.get("events")) or document["doc"] in DEV_SETS[name]
        if decision.conflict != expected:
            wrong.append((document["doc"], decision.reasons))
    assert not wrong
