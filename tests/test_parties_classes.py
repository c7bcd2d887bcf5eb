"""Error classes of the parties (actor, target) read on the dev sets heldout4-heldout8 (issue 14,
parties): who did what to whom, read on the parse. Each test is one class, on sentences composed
for the test (none comes from a gold set), read through `Enricher.mentions_of_text` with the
real model.
"""

from __future__ import annotations

from datetime import datetime

import pytest
from helpers import mentions, triggered

from enrich.pipeline import Enricher
from vigie.core.models import Event

PUBLISHED = datetime.fromisoformat("2025-09-17T10:00:00+02:00")


def actor_of(event: Event) -> str | None:
    return event.actor.id if event.actor else None


def target_of(event: Event) -> str | None:
    return event.target.id if event.target else None


# --- The group of the people an event killed or wounded is its target, also when the event is
# the circumstance of the casualty verb ("... ont été tués lors d'une attaque") or a casualty
# participle tells them ("..., tuant deux membres du X").


@pytest.mark.parametrize(
    ("text", "trigger", "target"),
    [
        (
            "Six membres du Hezbollah ont été blessés jeudi dans une frappe de drone près de Tyr.",
            "frappe",
            "hezbollah",
        ),
        (
            "Deux combattants du Hamas ont été tués mercredi lors d'un raid aérien près de Rafah.",
            "raid",
            "hamas",
        ),
        (
            "Trois membres du Hamas ont été tués lorsqu'un drone israélien a frappé leur voiture à Khan Younès.",
            "frappé",
            "hamas",
        ),
        (
            "Une frappe aérienne israélienne a touché un immeuble de Tyr, tuant deux membres du Hezbollah.",
            "frappe",
            "hezbollah",
        ),
    ],
)
def test_the_casualties_group_is_the_target(enricher: Enricher, text: str, trigger: str, target: str) -> None:
    assert target_of(triggered(mentions(enricher, text, PUBLISHED), trigger)) == target


# --- The fallen side of a fight named by a demonym is that state's forces, not the state the
# place lies in, also when the knowledge base lists no forces of that state.


@pytest.mark.parametrize(
    ("text", "trigger", "target"),
    [
        (
            "Cinq soldats tchadiens ont été blessés jeudi dans une embuscade près de Kidal, au Mali.",
            "embuscade",
            "forces-armees-tchadiennes",
        ),
        (
            "Deux soldats indiens ont été tués mardi dans une embuscade tendue par des insurgés près de Kishtwar.",
            "tués",
            "forces-armees-indiennes",
        ),
        (
            "Quatre soldats colombiens ont été tués mercredi lors d'une attaque contre leur base près de Cali.",
            "attaque",
            "forces-armees-colombiennes",
        ),
        (
            "Trois militaires béninois ont été tués dimanche lors de l'assaut d'un poste dans le nord du Bénin.",
            "assaut",
            "forces-armees-beninoises",
        ),
    ],
)
def test_the_fallen_side_of_a_fight_is_its_state_s_forces(
    enricher: Enricher, text: str, trigger: str, target: str
) -> None:
    assert target_of(triggered(mentions(enricher, text, PUBLISHED), trigger)) == target


# --- People said to belong to or act for a group act for it ("se réclamant de", "liés à",
# "affiliés à", "inféodés à", "rattachés à"; data: parties.yaml affiliation_words).


@pytest.mark.parametrize(
    ("text", "trigger", "actor"),
    [
        (
            "Des combattants liés au Hezbollah ont attaqué un poste de l'armée syrienne près de Homs.",
            "attaqué",
            "hezbollah",
        ),
        (
            "Trois villageois ont été tués samedi par des hommes armés se réclamant de Boko Haram près de Maiduguri.",
            "tués",
            "boko-haram",
        ),
        (
            "Des jihadistes affiliés à l'État islamique ont enlevé douze villageois jeudi près de Diffa.",
            "enlevé",
            "etat-islamique",
        ),
        ("Des miliciens inféodés au M23 ont attaqué un village près de Rutshuru.", "attaqué", "m23"),
        ("Des insurgés rattachés aux Shebab ont tué trois policiers près de Mandera.", "tué", "shebab"),
    ],
)
def test_people_affiliated_to_a_group_act_for_it(
    enricher: Enricher, text: str, trigger: str, actor: str
) -> None:
    assert actor_of(triggered(mentions(enricher, text, PUBLISHED), trigger)) == actor


# --- An event noun ascribed to an author by a participle or a relative clause on it or on its
# complement has that author for actor ("une frappe attribuée aux États-Unis").


@pytest.mark.parametrize(
    ("text", "trigger", "actor"),
    [
        (
            "Une frappe de drone attribuée aux États-Unis a tué deux membres d'Al-Qaïda mardi près de Marib.",
            "frappe",
            "etats-unis",
        ),
        (
            "Deux pêcheurs ont été blessés jeudi par des tirs de mortier imputés aux houthis près de Hodeïda.",
            "tirs",
            "houthis",
        ),
        (
            "Une attaque à la roquette imputée au Hezbollah a blessé trois soldats israéliens près de Metoula.",
            "attaque",
            "hezbollah",
        ),
        (
            # the harm told with its cause is the mention, of the cause's type (triggers.yaml
            # cause_cases): the ambush's author is its actor
            "Un convoi a été détruit samedi lors d'une embuscade attribuée au JNIM près de Djibo.",
            "détruit",
            "jnim",
        ),
    ],
)
def test_an_attributed_event_has_its_author_for_actor(
    enricher: Enricher, text: str, trigger: str, actor: str
) -> None:
    assert actor_of(triggered(mentions(enricher, text, PUBLISHED), trigger)) == actor


# --- The side that intercepted is a state: a ministry, an air defence or an air force stands for
# it (passive agent included).


@pytest.mark.parametrize(
    ("text", "trigger", "target"),
    [
        (
            "Le ministère russe de la Défense a indiqué avoir détruit 23 drones ukrainiens au-dessus de la région de Smolensk.",
            "détruit",
            "russie",
        ),
        (
            "La défense aérienne russe a neutralisé une trentaine de drones ukrainiens au-dessus de Briansk.",
            "neutralisé",
            "russie",
        ),
        (
            "L'armée de l'air ukrainienne a indiqué avoir abattu 70 drones russes pendant la nuit.",
            "abattu",
            "ukraine",
        ),
        (
            "Quarante drones russes ont été abattus par la défense antiaérienne ukrainienne au-dessus de Kharkiv.",
            "abattus",
            "ukraine",
        ),
        ("L'armée de l'air polonaise a abattu deux drones russes au-dessus de Lublin.", "abattu", "pologne"),
        ("Les forces aériennes roumaines ont détruit un drone russe près de Galati.", "détruit", "roumanie"),
    ],
)
def test_the_interceptor_is_its_state(enricher: Enricher, text: str, trigger: str, target: str) -> None:
    assert target_of(triggered(mentions(enricher, text, PUBLISHED), trigger)) == target


# --- A request's addressee the parser reads as a complement clause ("a appelé Paris à ...").


@pytest.mark.parametrize(
    ("text", "trigger", "target"),
    [
        ("Le chancelier a exhorté Paris et Rome à accélérer leurs livraisons d'armes.", "exhorté", "france"),
        ("L'Union africaine a appelé Khartoum à rouvrir les routes humanitaires.", "appelé", "soudan"),
        ("Le ministre a pressé Moscou de cesser ses frappes.", "pressé", "russie"),
        ("Le Conseil de sécurité a sommé Damas de retirer ses troupes.", "sommé", "syrie"),
        ("Le chef de la diplomatie a exhorté Kinshasa à protéger les camps de déplacés.", "exhorté", "rdc"),
        ("Le Premier ministre a appelé Islamabad à démanteler les camps.", "appelé", "pakistan"),
        ("L'ONU a exhorté Caracas à libérer les opposants.", "exhorté", "venezuela"),
        ("Le pape a appelé Kiev et Moscou à échanger tous leurs prisonniers.", "appelé", "ukraine"),
    ],
)
def test_a_request_s_addressee_read_as_a_clause(
    enricher: Enricher, text: str, trigger: str, target: str
) -> None:
    assert target_of(triggered(mentions(enricher, text, PUBLISHED), trigger)) == target


# --- Units a possessive ties to the speaker act for the speaker ("le X a affirmé que ses
# unités avaient ..."; data: parties.yaml unit_nouns).


@pytest.mark.parametrize(
    ("text", "trigger", "actor"),
    [
        (
            "Le Hezbollah a annoncé que ses combattants avaient bombardé une caserne israélienne près de Metoula.",
            "bombardé",
            "hezbollah",
        ),
        (
            "Le JNIM assure que ses combattants ont attaqué mardi un camp de l'armée près de Djibo.",
            "attaqué",
            "jnim",
        ),
        (
            "Les Shebab ont affirmé que leurs hommes avaient attaqué une base de l'armée somalienne près de Baidoa.",
            "attaqué",
            "shebab",
        ),
        (
            "Le Hamas a déclaré que ses unités avaient tiré des roquettes sur Ashkelon.",
            "tiré",
            "hamas",
        ),
    ],
)
def test_units_of_the_speaker_act_for_it(enricher: Enricher, text: str, trigger: str, actor: str) -> None:
    assert actor_of(triggered(mentions(enricher, text, PUBLISHED), trigger)) == actor


# --- The owner of the means acts: a projectile fired in the passive without agent, the means in
# the event noun's "de" complement, aircraft subject of a light verb.


@pytest.mark.parametrize(
    ("text", "trigger", "actor"),
    [
        ("Des bombes planantes russes ont été lâchées dans la nuit sur Kharkiv.", "lâchées", "russie"),
        ("Des roquettes du Hamas ont été lancées samedi vers Ashdod.", "lancées", "hamas"),
        (
            "Des missiles de croisière ukrainiens ont été lancés dans la nuit contre Belgorod.",
            "lancés",
            "ukraine",
        ),
        (
            "Un bombardement d'avions de l'armée soudanaise a fait douze morts samedi à Nyala.",
            "bombardement",
            "forces-armees-soudanaises",
        ),
        (
            "Des Sukhoï de l'armée de l'air syrienne ont mené mardi des raids contre des positions rebelles près d'Idleb.",
            "raids",
            "forces-aeriennes-syriennes",
        ),
        (
            "Des drones de l'armée nigériane ont effectué jeudi des frappes sur des camps de Boko Haram près de Maiduguri.",
            "frappes",
            "forces-armees-nigerianes",
        ),
    ],
)
def test_the_owner_of_the_means_acts(enricher: Enricher, text: str, trigger: str, actor: str) -> None:
    assert actor_of(triggered(mentions(enricher, text, PUBLISHED), trigger)) == actor


# --- The accused acts: the perfect infinitive the parser hangs on the object of an accusing
# verb is no passive participle describing it ("a accusé l'armée d'avoir bombardé").


@pytest.mark.parametrize(
    ("text", "trigger", "actor"),
    [
        (
            "Le gouverneur de la région, Ivan Petrov, a accusé lundi l'armée ukrainienne d'avoir bombardé le village de Glotovo.",
            "bombardé",
            "forces-armees-ukrainiennes",
        ),
        (
            "Le Hamas accuse l'armée israélienne d'avoir frappé une école à Gaza.",
            "frappé",
            "armee-israelienne",
        ),
        (
            "Kinshasa soupçonne les rebelles du M23 d'avoir attaqué un camp de déplacés près de Goma.",
            "attaqué",
            "m23",
        ),
        (
            "Damas a accusé mardi les forces turques d'avoir pilonné des villages près de Manbij.",
            "pilonné",
            "forces-armees-turques",
        ),
    ],
)
def test_the_accused_acts(enricher: Enricher, text: str, trigger: str, actor: str) -> None:
    event = triggered(mentions(enricher, text, PUBLISHED), trigger)
    assert actor_of(event) == actor
    assert target_of(event) != actor


# --- The side a fight is fought "avec" is the other party of the fight (it killed the fallen
# side), not what it hit.


@pytest.mark.parametrize(
    ("text", "trigger", "actor"),
    [
        (
            "Deux insurgés ont été tués mercredi lors d'un échange de tirs avec des soldats indiens près de Kupwara.",
            "échange",
            "forces-armees-indiennes",
        ),
        (
            "Quatre jihadistes ont péri dans des combats avec des soldats nigériens près de Tillabéri.",
            "combats",
            "forces-armees-nigeriennes",
        ),
        (
            "Un affrontement avec des policiers colombiens a fait cinq morts parmi les guérilleros près de Cali.",
            "affrontement",
            "forces-armees-colombiennes",
        ),
        (
            "Des combats avec des soldats camerounais ont fait huit morts parmi les séparatistes près de Bamenda.",
            "combats",
            "forces-armees-camerounaises",
        ),
        (
            "Sept bandits ont été tués dimanche dans un accrochage avec des soldats nigérians près de Zamfara.",
            "accrochage",
            "forces-armees-nigerianes",
        ),
    ],
)
def test_the_side_fought_with_is_the_other_party(
    enricher: Enricher, text: str, trigger: str, actor: str
) -> None:
    event = triggered(mentions(enricher, text, PUBLISHED), trigger)
    assert actor_of(event) == actor
    assert target_of(event) != actor


# --- ... also when the parser hangs that side on the fight noun's "de" complement ("un échange
# de tirs avec des soldats X": "avec" under "tirs").


@pytest.mark.parametrize(
    ("text", "actor"),
    [
        (
            "Deux trafiquants ont été abattus jeudi lors d'un échange de tirs avec des policiers brésiliens à Manaus.",
            "forces-armees-bresiliennes",
        ),
        (
            "Quatre insurgés ont été tués dans un échange de tirs avec des soldats pakistanais près de Bannu.",
            "forces-armees-pakistanaises",
        ),
        (
            "Cinq assaillants ont été tués samedi lors d'un échange de tirs avec des gendarmes ivoiriens près de Kafolo.",
            "forces-armees-ivoiriennes",
        ),
    ],
)
def test_the_side_fought_with_under_the_complement(enricher: Enricher, text: str, actor: str) -> None:
    assert actor_of(triggered(mentions(enricher, text, PUBLISHED), "échange")) == actor
