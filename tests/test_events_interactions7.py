"""Interactions on unseen news (helper I, round 10). Each test is one class, on sentences
composed for the test (none comes from a gold set), read through the real model (`enricher`
fixture of conftest) before the incident merge.
"""

from __future__ import annotations

import pytest
from helpers import mentions

from enrich.pipeline import Enricher
from vigie.core.models import Event


def typed(events: list[Event]) -> list[tuple[str, str | None, str | None]]:
    return [
        (e.sub_event_type, e.actor.id if e.actor else None, e.target.id if e.target else None) for e in events
    ]


def of_type(events: list[Event], sub_event_type: str) -> list[Event]:
    return [e for e in events if e.sub_event_type == sub_event_type]


# --- A demand coordinated with another verb of calling, sharing its auxiliary, is made: the
# --- first verb does not put it in the scope of what is asked for.


@pytest.mark.parametrize(
    "text",
    [
        "Le gouverneur de Kidal, Moussa Ag Intallah, a appelé les commerçants au calme et exigé "
        "« la libération sans condition » des otages.",
        "Le maire de Gao, Sadou Diallo, a appelé les jeunes au calme et réclamé l'arrestation des "
        "auteurs de l'attaque.",
        "Le chef de la junte, Abdourahamane Tiani, a appelé les habitants à la retenue et exigé le "
        "départ immédiat des soldats français.",
        "Le Conseil de sécurité a appelé les parties au dialogue et exigé la levée du siège d'El-Fasher.",
    ],
)
def test_a_demand_coordinated_with_a_call_is_made(enricher: Enricher, text: str) -> None:
    found = [e for e in mentions(enricher, text) if e.sub_event_type == "REQUEST"]
    assert found, typed(mentions(enricher, text))


@pytest.mark.parametrize(
    "text",
    [
        # under a modal, the coordinated demand stays asked for
        "Le ministre pourrait appeler les syndicats au calme et exiger la fin des blocages.",
        # a strike coordinated under a threat is still threatened
        "L'armée a menacé de bombarder et de raser le village de Talata.",
    ],
)
def test_a_coordination_under_a_modal_or_a_threat_stays_irrealis(enricher: Enricher, text: str) -> None:
    found = mentions(enricher, text)
    assert not [e for e in found if e.sub_event_type in ("REQUEST", "Air/drone strike", "Attack")], typed(
        found
    )


# --- Meeting words that tell no meeting: a grouping ("réunis au sein de"), a hypothetical
# --- round of talks, an exchange of prisoners (an agreement carried out), an exchange a
# --- confirmation refers back to.


@pytest.mark.parametrize(
    "text",
    [
        "Les combattants du JNIM, réunis au sein de la coalition du Front de libération, ont attaqué "
        "Boulkessi.",
        "Les milices Wazalendo, réunies au sein d'une alliance avec l'armée congolaise, tiennent "
        "encore Masisi.",
        "Les rebelles du Nord, réunis sous la bannière du Front de libération, contrôlent la ville "
        "de Ménaka.",
        "Le porte-parole du Kremlin, Dmitri Peskov, a confirmé l'échange, sans donner de détails.",
        "Le ministère biélorusse de la Défense a salué l'échange dans un communiqué.",
    ],
)
def test_a_grouping_or_a_confirmed_exchange_is_no_meeting(enricher: Enricher, text: str) -> None:
    found = mentions(enricher, text)
    assert not of_type(found, "CONSULT"), typed(found)


@pytest.mark.parametrize(
    "text",
    [
        "Le ministre polonais des Affaires étrangères, Radoslaw Sikorski, s'est entretenu avec son "
        "homologue lituanien, Kestutis Budrys, d'un éventuel nouveau cycle de négociations à Vilnius.",
        "Le président kényan William Ruto a rencontré Yoweri Museveni et évoqué une possible "
        "réunion avec les rebelles à Kampala.",
    ],
)
def test_a_hypothetical_round_of_talks_is_no_second_meeting(enricher: Enricher, text: str) -> None:
    found = mentions(enricher, text)
    assert len(of_type(found, "CONSULT")) == 1, typed(found)


@pytest.mark.parametrize(
    "text",
    [
        "Arménie : 32 prisonniers échangés avec l'Azerbaïdjan",
        "Soudan : 41 détenus échangés avec les FSR sous l'égide de la Croix-Rouge",
    ],
)
def test_prisoners_exchanged_are_an_agreement(enricher: Enricher, text: str) -> None:
    found = mentions(enricher, text)
    assert of_type(found, "AGREE") and not of_type(found, "CONSULT"), typed(found)


@pytest.mark.parametrize(
    "text",
    [
        # a meeting of two parties is still one
        "Les délégués arméniens et azerbaïdjanais se sont réunis mardi à Genève.",
        # a confirmation of a meeting naming its parties
        "Le Kremlin a confirmé la rencontre entre Vladimir Poutine et Donald Trump à Budapest.",
        # an exchange of views between two ministers
        "Sergueï Lavrov et Marco Rubio ont échangé lundi au téléphone sur la guerre en Ukraine.",
        # a meeting planned with its day is news
        "Emmanuel Macron recevra vendredi à l'Élysée le président ivoirien Alassane Ouattara.",
    ],
)
def test_meetings_stay_meetings(enricher: Enricher, text: str) -> None:
    found = mentions(enricher, text)
    assert of_type(found, "CONSULT"), typed(found)


# --- Talks named in an adjunct of a clause are its subject's ("ont signé un accord au terme de
# --- pourparlers"): the parties of that clause take part in them.


@pytest.mark.parametrize(
    "text",
    [
        "Le gouvernement soudanais et les Forces de soutien rapide ont conclu samedi une trêve "
        "humanitaire, au terme de négociations de trois jours à Djeddah.",
        "La Serbie et le Kosovo ont adopté lundi une feuille de route, à l'issue de discussions "
        "de dix heures à Bruxelles.",
        "L'Arménie et l'Azerbaïdjan ont paraphé un texte sur la frontière après des pourparlers "
        "d'une semaine à Abou Dhabi.",
        "Le Hamas a accepté mercredi la libération de quatre otages au terme de négociations "
        "indirectes au Caire.",
    ],
)
def test_talks_in_an_adjunct_are_the_clause_subjects(enricher: Enricher, text: str) -> None:
    found = of_type(mentions(enricher, text), "CONSULT")
    assert len(found) == 1 and found[0].actor is not None, typed(mentions(enricher, text))


def test_talks_in_an_adjunct_of_a_clause_naming_no_party_tell_nothing(enricher: Enricher) -> None:
    text = "Une trêve a été conclue samedi au terme de négociations de trois jours à Djeddah."
    assert not of_type(mentions(enricher, text), "CONSULT")


def test_talks_as_the_subject_keep_their_own_parties(enricher: Enricher) -> None:
    text = "Les pourparlers entre l'Éthiopie et l'Érythrée ont repris lundi à Nairobi."
    found = of_type(mentions(enricher, text), "CONSULT")
    assert len(found) == 1, typed(found)
    assert {found[0].actor and found[0].actor.id, found[0].target and found[0].target.id} == {
        "ethiopie",
        "erythree",
    }


@pytest.mark.parametrize(
    "text",
    [
        # "en échange de", "en visite à": a manner or a state, no meeting
        "Le Hamas a libéré trois otages dimanche à Khan Younès, en échange de la libération de "
        "cent détenus palestiniens.",
        "En visite à Odessa, le président finlandais Alexander Stubb a rencontré des soldats blessés.",
    ],
)
def test_a_bare_meeting_noun_is_no_meeting(enricher: Enricher, text: str) -> None:
    found = of_type(mentions(enricher, text), "CONSULT")
    assert all(e.trigger not in ("échange", "visite") for e in found), typed(found)


# --- Who makes a demand when no party heads the subject: a name inside the subject's own
# --- phrase, or the person the article introduced with the role noun that is the subject.


@pytest.mark.parametrize(
    ("text", "actor"),
    [
        (
            "L'association de défense des journalistes Reporteros Libres a exigé mardi la libération "
            "de trois reporters détenus à Managua.",
            "reporteros-libres",
        ),
        (
            "Une bombe a explosé jeudi à Kano, a annoncé le gouverneur de l'Etat, Abba Kabir Yusuf. "
            "Le gouverneur a exigé « des sanctions exemplaires » contre les auteurs.",
            "abba-kabir-yusuf",
        ),
        (
            "Trois soldats ont été tués lundi près de Gao, a indiqué le porte-parole de l'armée "
            "malienne, Souleymane Dembélé. Le porte-parole a exhorté les groupes armés à « déposer "
            "les armes ».",
            "souleymane-dembele",
        ),
        (
            "Deux casques bleus ont été blessés samedi à Bunia, a précisé le commandant de la force, "
            "Ulisses de Mesquita Gonçalves. Le commandant a sommé les miliciens de quitter la zone.",
            "ulisses-de-mesquita-goncalves",
        ),
    ],
)
def test_the_speaker_of_a_demand_named_in_its_subject_or_before(
    enricher: Enricher, text: str, actor: str
) -> None:
    found = of_type(mentions(enricher, text), "REQUEST")
    assert len(found) == 1 and found[0].actor is not None, typed(mentions(enricher, text))
    assert slug(found[0].actor.id) == actor


def slug(entity_id: str) -> str:
    import unicodedata

    text = unicodedata.normalize("NFKD", entity_id.removeprefix("surface:"))
    return "-".join("".join(c for c in text if not unicodedata.combining(c)).lower().split())


@pytest.mark.parametrize(
    "text",
    [
        # another role than the one the person was introduced with
        "Une bombe a explosé jeudi à Kano, a annoncé le gouverneur de l'Etat, Abba Kabir Yusuf. "
        "Le ministre a exigé « des sanctions exemplaires » contre les auteurs.",
        # a role noun no name introduced
        "Le porte-parole a exhorté les groupes armés à « déposer les armes ».",
        # a subject naming no one
        "L'organisation a réclamé une enquête internationale sur les exécutions.",
    ],
)
def test_a_demand_by_no_named_speaker_is_no_event(enricher: Enricher, text: str) -> None:
    assert not of_type(mentions(enricher, text), "REQUEST")


# --- A summit or a meeting named as the setting of another meeting ("en marge du sommet de X")
# --- is where that meeting took place, not a meeting of its own with X.


@pytest.mark.parametrize(
    "text",
    [
        "Le ministre turc des Affaires étrangères, Hakan Fidan, s'est entretenu avec Sergueï Lavrov "
        "en marge de la réunion de l'OSCE à Malte.",
        "Olaf Scholz a reçu Recep Tayyip Erdogan à Berlin en marge des négociations de l'OTAN.",
        "Le chef de la diplomatie iranienne, Abbas Araghchi, a rencontré Jean-Noël Barrot en marge "
        "de la réunion du Conseil de sécurité à New York.",
        "Le Premier ministre indien Narendra Modi a rencontré Vladimir Poutine en marge du sommet des "
        "BRICS à Kazan.",
        "Le président kényan William Ruto s'est entretenu avec Antonio Guterres en marge de la "
        "réunion de l'ONU à Nairobi.",
    ],
)
def test_the_setting_of_a_meeting_is_no_meeting_of_its_own(enricher: Enricher, text: str) -> None:
    found = of_type(mentions(enricher, text), "CONSULT")
    assert len(found) == 1 and found[0].trigger not in ("réunion", "sommet", "négociations"), typed(found)


@pytest.mark.parametrize(
    "text",
    [
        # a summit told by itself
        "Le sommet de l'Union africaine s'est ouvert dimanche à Addis-Abeba en présence de Paul "
        "Kagame et William Ruto.",
        # the setting of no meeting
        "En marge du sommet de l'Union africaine, des manifestants ont défilé à Addis-Abeba.",
    ],
)
def test_a_summit_told_by_itself_stays_a_meeting(enricher: Enricher, text: str) -> None:
    found = of_type(mentions(enricher, text), "CONSULT")
    assert [e.trigger for e in found] == ["sommet"], typed(found)
