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


# ------------------------------------------ pest control, bars and commemorations (round 4)
# Pest control ("une armée de frelons attaque les ruches", "le drone a neutralisé onze nids"),
# bars and restaurants named or decorated after weapons (a bar "La Grenade", a "Molotov"
# shooter) and commemorations or re-enactments of past wars (veterans, wreaths, period uniforms)
# say war words of no armed conflict: the domains pests, cuisine (bars and cocktails) and
# commemoration of conflict_gate.yaml outweigh them. Each article passed the gate before.

PESTS = {
    "hornets_drone": (
        "Guêpes et frelons : la commune de Lannion sort l'artillerie lourde\n\nUne véritable "
        "armée de frelons asiatiques attaque les ruches, et les soldats de la colonie défendent "
        "chaque nid. Les services municipaux ont lancé lundi une offensive contre les nids "
        "repérés dans les parcs, avec l'aide des militaires du régiment voisin. Un drone équipé "
        "d'une lance projette l'insecticide dans les nids perchés au sommet des arbres : onze "
        "nids ont été détruits en deux jours. « C'est une guerre de tranchées », sourit un "
        "désinsectiseur. Les apiculteurs, dont les ruches sont attaquées chaque matin, "
        "réclament des pièges dès le printemps."
    ),
    "rats": (
        "Marseille déclare la guerre aux rats dans les quartiers nord\n\nUne armée de "
        "dératiseurs, véritables combattants de l'hygiène, a été déployée mardi dans les caves "
        "et les cours d'immeubles. Les rongeurs, qui ont envahi les parkings, ont été la cible "
        "de plus de 400 pièges et d'appâts. La dératisation, qui doit durer trois semaines, a "
        "déjà permis de neutraliser plusieurs colonies, selon la mairie, qui promet de frapper "
        "fort contre ces nuisibles."
    ),
    "mosquitoes": (
        "Moustique tigre : l'offensive des démoustiqueurs sur le littoral héraultais\n\nFace à "
        "l'invasion du moustique tigre, l'agence régionale a mobilisé une armée de soldats du "
        "quotidien : des agents ont traité lundi les gîtes larvaires de Sète et de Frontignan "
        "avec un insecticide biologique. Un drone a survolé les marais pour repérer les eaux "
        "stagnantes. « Ces nuisibles attaquent dès la tombée de la nuit », explique une "
        "habitante, piquée des dizaines de fois. L'espèce invasive a été détectée dans 80 "
        "communes."
    ),
    "caterpillars": (
        "Chenilles processionnaires : les pins de la forêt des Landes sous le feu des "
        "pièges\n\nLes forestiers ont installé des milliers de pièges à phéromones pour stopper "
        "l'invasion des chenilles processionnaires, qui ravagent les pins. Les nids, visibles "
        "en haut des branches, sont détruits un par un par des équipes armées de perches et "
        "d'échenilloirs. Cet hiver, les ravageurs ont gagné du terrain sur tout le massif, "
        "selon l'Office national des forêts, qui prépare une contre-offensive au printemps."
    ),
}

BARS = {
    "bar_named_grenade": (
        "La Grenade, rue Oberkampf : des cocktails qui explosent en bouche\n\nLe bar à cocktails "
        "La Grenade a pris d'assaut le onzième arrondissement, avec ses serveurs en treillis de "
        "soldat et sa Kalachnikov, une vodka servie dans une cartouche. Le barman sert un "
        "mojito au gingembre et un shooter au mezcal et au piment qui frappe fort. Le Bloody "
        "Mary maison est une petite bombe, et les tapas, des croquettes de morue aux bouchées "
        "de chorizo, font mouche. Le patron, un ancien militaire, a accroché aux murs des "
        "casques de soldats, des douilles d'obus et une mitrailleuse désarmée. Comptez 12 euros "
        "le cocktail."
    ),
    "restaurant_war": (
        "Paris : au Bunker, la cuisine fait feu de tout bois\n\nLe chef a déclaré la guerre aux "
        "plats industriels. Dans ce restaurant installé dans un ancien abri antiaérien décoré "
        "de casques de soldats et d'une mitrailleuse, on dévore un tataki de thon explosif, une "
        "sauce au piment qui attaque le palais et un dessert au chocolat qui achève les plus "
        "gourmands. Le sommelier sert un vin nature, la carte des vins est courte. Le patron, "
        "ancien militaire, a gardé les douilles d'obus au mur. Réservation conseillée, terrasse "
        "en été."
    ),
    "bar_commando": (
        "Montpellier : le Commando, bar à rhum, a conquis l'Écusson\n\nUn an après son ouverture, "
        "le Commando, bar tenu par un ancien militaire, du quartier de l'Écusson a gagné la "
        "bataille des soirées : son rhum arrangé à la mangue, son cocktail au gin et au sirop "
        "de gingembre et ses shooters « kamikazes » font un carton. Les mixologues servent "
        "jusqu'à 2 h ; happy hour de 18 h à 20 h, bouchées et tapas à partager."
    ),
    "cocktail_trend": (
        "Le Molotov, un cocktail qui met le feu aux terrasses de Lyon\n\nServi au Kamikaze, un "
        "bar de la Croix-Rousse, et baptisé d'après l'arme des émeutiers, il mêle mezcal, "
        "tequila, liqueur de piment et zeste de citron vert : le mélange inventé par un barman "
        "de la Croix-Rousse a conquis les bars à cocktails de la ville. « Il explose en bouche, "
        "c'est une bombe », assure une cliente. La mixologie lyonnaise, qui multiplie les happy "
        "hour, mise sur ce shooter servi par un ancien militaire dans une douille d'obus, entre "
        "des casques de soldats et une mitrailleuse en déco, qui a fait quelques victimes parmi "
        "les amateurs. La carte propose aussi un mojito au rhum, un gin au sirop de gingembre "
        "et des tapas."
    ),
}

COMMEMORATIONS = {
    "verdun": (
        "Centenaire de Verdun : les reconstituteurs rejouent la bataille devant 10 000 "
        "visiteurs\n\nDes centaines de passionnés en uniformes d'époque ont reconstitué samedi "
        "les combats de 1916 sur la colline de Douaumont. Les tirs d'artillerie étaient "
        "simulés, les obus de bois. Les derniers descendants d'anciens combattants ont assisté "
        "au dépôt de gerbe au monument aux morts. « Le devoir de mémoire passe aussi par là », "
        "dit un organisateur."
    ),
    "armistice": (
        "11 novembre : à Reims, une minute de silence pour les soldats de la Grande Guerre\n\nLes "
        "anciens combattants et les porte-drapeaux se sont rassemblés devant le monument aux "
        "morts pour commémorer l'armistice de 1918. Les élèves ont lu des lettres de poilus "
        "tués au front. Une gerbe a été déposée au pied de la nécropole nationale, où reposent "
        "des milliers de soldats tombés lors des offensives de 1914."
    ),
    "liberation_parade": (
        "Anniversaire de la Libération : des véhicules d'époque défilent à Cherbourg\n\nUne "
        "quarantaine de jeeps et de chars restaurés, des mitrailleuses et des uniformes de "
        "soldats américains ont défilé dimanche dans le centre, conduits par des "
        "reconstituteurs en uniformes d'époque. Les vétérans, désormais centenaires, ont été "
        "ovationnés. Les bombardements de 1944 avaient détruit une grande partie du port, "
        "rappelle une exposition commémorative."
    ),
    "waterloo": (
        "Bicentenaire : 5 000 reconstitueurs rejouent la bataille de Waterloo\n\nFantassins, "
        "cavaliers et artilleurs en costume d'époque ont reconstitué samedi soir l'assaut de la "
        "Garde impériale, sous le feu des canons à poudre. Les organisateurs de la "
        "reconstitution, qui attendaient 60 000 spectateurs, ont prévu une cérémonie de "
        "recueillement au pied du monument aux morts de la bataille."
    ),
}

NOT_CONFLICT = {**PESTS, **BARS, **COMMEMORATIONS}


@pytest.mark.parametrize("kind", sorted(NOT_CONFLICT))
def test_pests_bars_and_commemorations_are_refused(nlp: Language, gate: ConflictGate, kind: str) -> None:
    decision = decide(nlp, gate, NOT_CONFLICT[kind])
    assert not decision.conflict, decision.reasons


# The same domains' words in a conflict dispatch leave it conflict.
CONFLICT_WITH_THOSE_WORDS = {
    "shooting_in_a_bar": (
        "Israël : une fusillade dans un bar à cocktails de Tel-Aviv fait trois morts\n\nTEL-AVIV "
        "– Un homme armé a ouvert le feu jeudi soir sur la terrasse d'un bar à cocktails du "
        "centre de Tel-Aviv, tuant trois clients et en blessant six autres, a annoncé la "
        "police. L'assaillant a été abattu par un agent."
    ),
    "strikes_on_an_anniversary": (
        "Ukraine : frappes russes sur Kharkiv le jour de l'anniversaire de l'invasion\n\nKHARKIV "
        "– Au moins quatre civils ont été tués lundi par des frappes de missiles russes sur "
        "Kharkiv, alors que le pays commémorait le quatrième anniversaire de l'invasion. Les "
        "vétérans et les soldats réunis pour la cérémonie ont dû rejoindre les abris."
    ),
    "attack_on_a_ceremony": (
        "Mali : des jihadistes attaquent une cérémonie en hommage aux soldats tués\n\nBAMAKO – "
        "Des hommes armés ont attaqué dimanche une cérémonie organisée à Mopti en mémoire des "
        "soldats tués le mois dernier, faisant cinq morts, selon l'armée malienne."
    ),
}


@pytest.mark.parametrize("kind", sorted(CONFLICT_WITH_THOSE_WORDS))
def test_conflict_dispatches_with_those_words_pass(nlp: Language, gate: ConflictGate, kind: str) -> None:
    decision = decide(nlp, gate, CONFLICT_WITH_THOSE_WORDS[kind])
    assert decision.conflict, decision.reasons
