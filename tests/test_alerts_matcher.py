"""French-aware matching: inflections, accents, elisions, word distance, sentence bounds, and the
entity/event/source/language leaves. Articles and events are built by hand."""

from __future__ import annotations

from typing import Any

import pytest

from vigie.alerting.matcher import ArticleView, match
from vigie.alerting.rules import Condition, RuleSet, parse_rules
from vigie.alerting.text import analyse, phrase_keys
from vigie.core.models import (
    Article,
    Casualties,
    EntityMention,
    EntityRef,
    Event,
    EventMention,
    Quantity,
    stable_id,
)


def article(text: str, title: str = "Titre", **fields: Any) -> Article:
    url = f"https://example.org/{stable_id(title, text)}"
    defaults: dict[str, Any] = {
        "id": stable_id(url),
        "url": url,
        "original_url": url,
        "feed": "test",
        "source": "example.org",
        "title": title,
        "text": text,
        "language": "fr",
        "enriched": True,
    }
    defaults.update(fields)
    return Article(**defaults)


def condition(raw: dict[str, Any]) -> Condition:
    rules: RuleSet = parse_rules(
        {"version": 1, "rules": [{"name": "r", "severity": "high", "condition": raw}]}
    )
    return rules.rules[0].condition


NUCLEAR = {"phrase": {"words": "frappe nucléaire", "max_distance": 2}}


def fires(
    raw: dict[str, Any], text: str, title: str = "Titre", events: list[Event] | None = None
) -> str | None:
    view = ArticleView(article(text, title), events or [])
    found = match(condition(raw), view)
    return None if found is None else view.render(found)


@pytest.mark.parametrize(
    "text",
    [
        "Moscou évoque des frappes nucléaires contre l'Europe.",
        "Moscou menace d’une première frappe nucléaire contre l’OTAN.",
        "Le texte parle d'une frappe nucleaire limitée.",
        "UNE FRAPPE NUCLÉAIRE serait une catastrophe.",
        "Une frappe tactique nucléaire est évoquée.",  # one word between
        "Une frappe très limitée nucléaire, dit-il.",  # two words between (max_distance: 2)
    ],
)
def test_phrase_matches_inflections_accents_case_and_distance(text: str) -> None:
    assert fires(NUCLEAR, text) is not None


def test_matched_words_are_marked_and_passage_is_the_sentence() -> None:
    text = "Premier paragraphe sans rapport.\nLe Kremlin menace d’une première frappe nucléaire contre l’OTAN. Autre phrase."
    rendered = fires(NUCLEAR, text)
    assert (
        rendered
        == "Le Kremlin menace d’une première <mark>frappe</mark> <mark>nucléaire</mark> contre l’OTAN."
    )


def test_far_apart_words_in_unrelated_sentences_do_not_match() -> None:
    text = (
        "Une frappe de drone a touché un dépôt de carburant près de Belgorod dans la nuit. "
        "Par ailleurs, l'AIEA s'inquiète de la sécurité de la centrale nucléaire de Zaporijjia, "
        "privée d'alimentation externe depuis trois jours."
    )
    assert fires(NUCLEAR, text) is None


def test_far_apart_words_in_one_long_sentence_do_not_match() -> None:
    text = "La frappe a visé un dépôt de munitions situé à quarante kilomètres de la centrale nucléaire."
    assert fires(NUCLEAR, text) is None
    # Three words between: one more than max_distance allows.
    assert fires(NUCLEAR, "Une frappe très très limitée nucléaire.") is None


def test_headline_line_without_full_stop_is_its_own_sentence() -> None:
    # "frappe" ends one line, "nucléaire" starts the next: adjacent words, different sentences.
    assert fires(NUCLEAR, "Kiev prépare une nouvelle frappe\nNucléaire : la centrale est à l'arrêt.") is None


def test_word_order_is_enforced_unless_in_order_false() -> None:
    reversed_text = "Le nucléaire, une frappe possible ?"
    assert fires({"phrase": {"words": "frappe nucléaire", "max_distance": 2}}, reversed_text) is None
    assert fires(
        {"phrase": {"words": "frappe nucléaire", "max_distance": 2, "in_order": False}}, reversed_text
    )


def test_elision_and_hyphenated_compounds() -> None:
    ceasefire = {"phrase": {"words": "négociations cessez-le-feu", "max_distance": 3, "in_order": False}}
    rendered = fires(ceasefire, "Les négociations d’un cessez-le-feu ont repris à Riyad.")
    assert rendered == "Les <mark>négociations</mark> d’un <mark>cessez-le-feu</mark> ont repris à Riyad."
    assert fires(ceasefire, "Un cessez-le-feu précède les négociations.")
    assert fires({"phrase": {"words": "attaque nucléaire"}}, "Il redoute l'attaque nucléaire.")
    assert phrase_keys("L’attaque") == phrase_keys("attaque")


def test_phrase_fields_and_title() -> None:
    raw = {"phrase": {"words": "frappe nucléaire", "fields": ["title"]}}
    assert (
        fires(raw, "Rien ici.", title="Menace de frappe nucléaire")
        == "Menace de <mark>frappe</mark> <mark>nucléaire</mark>"
    )
    assert fires(raw, "Une frappe nucléaire.", title="Autre chose") is None


def test_passage_is_html_escaped_around_marks() -> None:
    rendered = fires(NUCLEAR, "Le <b>risque</b> & la frappe nucléaire.")
    assert rendered == "Le &lt;b&gt;risque&lt;/b&gt; &amp; la <mark>frappe</mark> <mark>nucléaire</mark>."


def test_offsets_point_into_the_original_text() -> None:
    text = "L’Ukraine a lancé une attaque.\n\nQu’il s’agisse d’une frappe nucléaire…"
    for sentence in analyse(text):
        for word in sentence.words:
            assert text[word.start : word.end].strip() == text[word.start : word.end]
            assert "’" not in text[word.start : word.end]


# -- entities, events, sources, languages ---------------------------------------------------------


def mention(entity_id: str, type_: str = "PER", surface: str = "Poutine", count: int = 1) -> EntityMention:
    return EntityMention(id=entity_id, name=surface, type=type_, surface=surface, count=count)  # type: ignore[arg-type]


def test_entity_condition_with_type_filter_and_count() -> None:
    text = "Vladimir Poutine a parlé. L'OTAN répond."
    a = article(
        text,
        entities=[
            mention("vladimir-poutine", surface="Vladimir Poutine", count=2),
            mention("otan", "ORG", "OTAN"),
        ],
    )
    view = ArticleView(a, [])
    found = match(condition({"entity": {"ids": ["vladimir-poutine"], "types": ["PER"]}}), view)
    assert found is not None and view.render(found) == "<mark>Vladimir Poutine</mark> a parlé."
    assert match(condition({"entity": {"ids": ["otan"], "types": ["PER"]}}), view) is None
    assert match(condition({"entity": {"ids": ["vladimir-poutine"], "min_count": 3}}), view) is None
    assert match(condition({"entity": {"ids": ["otan"]}}), view) is not None


def drone_event(a: Article, sentence: str, **fields: Any) -> Event:
    start = a.text.index(sentence)
    defaults: dict[str, Any] = {
        "id": stable_id(a.id, "Air/drone strike", str(start)),
        "article_id": a.id,
        "article_title": a.title,
        "article_url": a.url,
        "source": a.source,
        "event_type": "Explosions/Remote violence",
        "sub_event_type": "Air/drone strike",
        "trigger": "attaque",
        "sentence": sentence,
        "sentence_start": start,
        "sentence_end": start + len(sentence),
        "weapons": ["drone"],
    }
    defaults.update(fields)
    return Event(**defaults)


MASSIVE = {
    "event": {
        "sub_event_type": ["Air/drone strike"],
        "quantity": {"fields": ["launched", "intercepted", "destroyed"], "min": 100},
    }
}


def test_event_quantity_threshold_on_any_listed_field() -> None:
    sentence = "La Russie a abattu 337 drones lors de cette attaque."
    a = article(f"Introduction.\n{sentence} Fin.")
    big = drone_event(a, sentence, intercepted=Quantity(value=337, text="337 drones"))
    view = ArticleView(a, [big])
    found = match(condition(MASSIVE), view)
    assert found is not None
    assert (
        view.render(found) == "La Russie a abattu <mark>337 drones</mark> lors de cette <mark>attaque</mark>."
    )

    small = drone_event(
        a, sentence, launched=Quantity(value=34, text="34"), destroyed=Quantity(value=36, text="36")
    )
    assert match(condition(MASSIVE), ArticleView(a, [small])) is None
    # Killed is not among the listed fields: 150 killed is not a massive drone attack.
    dead = drone_event(a, sentence, killed=Quantity(value=150, text="150"))
    assert match(condition(MASSIVE), ArticleView(a, [dead])) is None


def test_event_constraints_hold_on_one_and_the_same_event() -> None:
    s1 = "Une attaque de drones a visé Koursk."
    s2 = "Plus de 200 missiles ont été tirés sur Kiev."
    a = article(f"{s1} {s2}")
    drones = drone_event(a, s1)
    missiles = drone_event(
        a,
        s2,
        sub_event_type="Shelling/artillery/missile attack",
        weapons=["missile"],
        launched=Quantity(value=200),
    )
    assert match(condition(MASSIVE), ArticleView(a, [drones, missiles])) is None
    weapon = {"event": {"weapons": ["missile"], "actors": ["russie"]}}
    assert match(condition(weapon), ArticleView(a, [missiles])) is None
    with_actor = missiles.model_copy(update={"actor": EntityRef(id="russie", name="Russie")})
    assert match(condition(weapon), ArticleView(a, [with_actor])) is not None


def test_killed_threshold_and_interaction() -> None:
    sentence = "La frappe a fait deux morts à Odessa."
    a = article(sentence)
    strike = drone_event(a, sentence, killed=Quantity(value=2, text="deux morts"), trigger="frappe")
    civilians = {
        "event": {"event_type": ["Explosions/Remote violence"], "quantity": {"fields": ["killed"], "min": 1}}
    }
    view = ArticleView(a, [strike])
    found = match(condition(civilians), view)
    assert (
        found is not None
        and view.render(found) == "La <mark>frappe</mark> a fait <mark>deux morts</mark> à Odessa."
    )
    threat = drone_event(
        a, sentence, event_type="Interaction", sub_event_type="THREATEN", interaction="THREATEN"
    )
    assert match(condition({"event": {"interaction": ["THREATEN"]}}), ArticleView(a, [threat])) is not None
    assert match(condition({"event": {"interaction": ["AGREE"]}}), ArticleView(a, [threat])) is None


def test_event_with_stale_offsets_still_shows_its_sentence() -> None:
    sentence = "La Russie a abattu 337 drones."
    a = article(f"Intro. {sentence}")
    moved = drone_event(
        a, sentence, intercepted=Quantity(value=337, text="337"), sentence_start=0, sentence_end=5
    )
    view = ArticleView(a, [moved])
    found = match(condition(MASSIVE), view)
    assert found is not None and "<mark>337</mark>" in view.render(found)


def test_tree_all_any_not_source_language() -> None:
    text = "Moscou menace d'une frappe nucléaire."
    a = article(text, source="lemonde.fr", sources=["lemonde.fr", "ouest-france.fr"])
    view = ArticleView(a, [])
    assert match(condition({"all": [NUCLEAR, {"source": ["ouest-france.fr"]}]}), view) is not None
    assert match(condition({"all": [NUCLEAR, {"source": ["rt.com"]}]}), view) is None
    assert match(condition({"all": [NUCLEAR, {"language": ["en"]}]}), view) is None
    assert match(condition({"all": [NUCLEAR, {"not": {"source": ["lemonde.fr"]}}]}), view) is None
    assert match(condition({"any": [{"source": ["rt.com"]}, NUCLEAR]}), view) is not None
    # A rule without any passage-producing leaf shows the title.
    found = match(condition({"language": ["fr"]}), view)
    assert found is not None and view.render(found) == "Titre"


# -- lexicons in one sentence, cues in scope, counts ------------------------------------------------


def fires_with(
    raw: dict[str, Any],
    lexicons: dict[str, Any],
    text: str,
    title: str = "Titre",
    events: list[Event] | None = None,
    **fields: Any,
) -> str | None:
    rules = parse_rules(
        {"version": 1, "lexicons": lexicons, "rules": [{"name": "r", "severity": "high", "condition": raw}]}
    )
    view = ArticleView(article(text, title, **fields), events or [])
    found = match(rules.rules[0].condition, view)
    return None if found is None else view.render(found)


WOUNDED = {
    "people": ["civils", "habitants", "écoliers"],
    "hurt": ["blessés", "tués", "blessant"],
    "zero": ["aucun", "sans", "pas"],
    "compound": ["protection civile"],
    "fighters": ["soldats"],
}


def test_every_lexicon_in_one_sentence_on_distinct_words() -> None:
    raw = {"sentence": {"all": ["people", "hurt"], "max_span": 6}}
    assert (
        fires_with(raw, WOUNDED, "Deux écoliers ont été blessés à Tchernihiv.")
        == "Deux <mark>écoliers</mark> ont été <mark>blessés</mark> à Tchernihiv."
    )
    # Split over two sentences, or too far apart: no.
    assert fires_with(raw, WOUNDED, "Les habitants ont fui. Trois hommes ont été blessés.") is None
    far = (
        "Les habitants du quartier nord, selon la mairie et les pompiers réunis hier, comptent trois blessés."
    )
    assert fires_with(raw, WOUNDED, far) is None
    # One word cannot stand for two lexicons.
    assert fires_with({"sentence": {"all": ["hurt", "hurt"]}}, WOUNDED, "Un homme blessé.") is None


def test_cues_in_scope_before_inside_overlap_and_sentence() -> None:
    negated = {
        "sentence": {
            "all": ["people", "hurt"],
            "unless": [{"lexicon": "zero", "scope": "before", "window": 3}],
        }
    }
    assert fires_with(negated, WOUNDED, "Aucun des habitants n'a été blessé, assure le maire.") is None
    # "blesser" shares the stem of "blessés"; "sans" stands right before it.
    assert fires_with(negated, WOUNDED, "La frappe a fait des dégâts sans blesser les habitants.") is None
    assert fires_with(
        negated, WOUNDED, "Sans électricité depuis lundi, le quartier compte cinq habitants blessés."
    )
    compound = {
        "sentence": {"all": ["people", "hurt"], "unless": [{"lexicon": "compound", "scope": "overlap"}]}
    }
    assert fires_with(compound, WOUNDED, "Selon la protection civile, deux blessés ont été évacués.") is None
    assert (
        fires_with(compound, WOUNDED, "Selon la protection civile, deux civils ont été blessés.") is not None
    )
    inside = {"sentence": {"all": ["people", "hurt"], "unless": [{"lexicon": "fighters", "scope": "inside"}]}}
    assert fires_with(inside, WOUNDED, "L'obus a tué quatre soldats et fait fuir les habitants.") is None
    assert fires_with(inside, WOUNDED, "Quatre soldats et trois civils ont été tués.") is not None


def test_a_cue_right_after_an_exception_is_no_cue() -> None:
    lexicons = {"raid": ["lancés"], "since": ["depuis le début"], "record": ["plus vaste"]}
    raw = {
        "sentence": {
            "count": {"weapon_class": "drone", "min": 100},
            "all": ["raid"],
            "unless": [{"lexicon": "since", "unless_after": "record"}],
        }
    }
    assert fires_with(raw, lexicons, "Depuis le début de l'année, 9 000 drones ont été lancés.") is None
    assert fires_with(raw, lexicons, "La plus vaste attaque depuis le début : 520 drones lancés sur Lviv.")


@pytest.mark.parametrize(
    ("text", "fires"),
    [
        ("Dans la nuit, 412 drones ont été lancés.", True),
        ("Dans la nuit, 1 200 drones ont été lancés.", True),
        ("Dans la nuit, deux cent trente drones ont été lancés.", True),
        ("Dans la nuit, une centaine de drones ont été lancés.", True),
        ("Dans la nuit, des centaines de Shahed ont été lancés.", True),  # a drone of the knowledge base
        ("Dans la nuit, entre 120 et 180 drones ont été lancés.", True),  # lower bound 120
        ("Dans la nuit, entre 80 et 180 drones ont été lancés.", False),  # lower bound 80
        ("Dans la nuit, jusqu'à 300 drones ont été lancés.", False),  # an upper bound only
        ("Dans la nuit, 99 drones ont été lancés.", False),
        ("Dans la nuit, 150 drones et missiles ont été lancés.", False),  # pooled: counts neither
        ("Dans la nuit, 150 missiles et 60 drones ont été lancés.", False),  # missiles never count
        ("Dans la nuit, 60 missiles et 150 drones ont été lancés.", True),
    ],
)
def test_count_of_one_weapon_class(text: str, fires: bool) -> None:
    raw = {"sentence": {"count": {"weapon_class": "drone", "min": 100}, "all": ["raid"]}}
    assert (fires_with(raw, {"raid": ["lancés"]}, text) is not None) is fires


def test_count_of_a_noun_phrase_and_periods_counted() -> None:
    lexicons = {"uav": ["engins explosifs sans pilote"], "periods": ["nuits", "jours"], "raid": ["visé"]}
    raw = {
        "sentence": {
            "count": {"nouns": "uav", "min": 100},
            "all": ["raid"],
            "unless": [{"count": {"nouns": "periods", "min": 2}}],
        }
    }
    assert fires_with(raw, lexicons, "Près de 140 engins explosifs sans pilote ont visé Kherson.") is not None
    assert (
        fires_with(raw, lexicons, "En trois nuits, 140 engins explosifs sans pilote ont visé Kherson.")
        is None
    )
    assert fires_with(raw, lexicons, "Près de 140 engins ont visé Kherson.") is None  # not the phrase


# -- the structured layer -------------------------------------------------------------------------------


def test_counts_per_weapon_class_never_pool_drones_with_missiles() -> None:
    sentence = "Les forces russes ont tiré 120 missiles et 90 drones sur le pays."
    a = article(sentence)
    drones = {"event": {"quantity": {"fields": ["launched"], "min": 100, "weapon_class": "drone"}}}
    pooled = drone_event(a, sentence, weapons=["drone", "missile"], launched=Quantity(value=210, text="210"))
    assert match(condition(drones), ArticleView(a, [pooled])) is None  # both classes in the event
    missiles = drone_event(a, sentence, weapons=["drone"], launched=Quantity(value=120, text="120 missiles"))
    assert match(condition(drones), ArticleView(a, [missiles])) is None  # the count names missiles
    shahed = drone_event(a, sentence, weapons=["drone-shahed", "patriot"], launched=Quantity(value=130))
    assert match(condition(drones), ArticleView(a, [shahed])) is not None  # an interceptor is no projectile
    assert (
        match(condition({"event": {"weapon_class": ["missile"]}}), ArticleView(a, [pooled])) is not None
        and match(condition({"event": {"weapon_class": ["bomb"]}}), ArticleView(a, [pooled])) is None
    )


def test_a_range_counts_by_its_lower_bound_when_asked() -> None:
    sentence = "Entre 90 et 140 drones ont visé Odessa."
    a = article(sentence)
    ranged = drone_event(
        a, sentence, launched=Quantity(value=140, qualifier="at_least", text="entre 90 et 140 drones")
    )
    as_read = {"event": {"quantity": {"fields": ["launched"], "min": 100}}}
    lower = {"event": {"quantity": {"fields": ["launched"], "min": 100, "bound": "lower"}}}
    assert match(condition(as_read), ArticleView(a, [ranged])) is not None
    assert match(condition(lower), ArticleView(a, [ranged])) is None
    capped = drone_event(
        a, sentence, launched=Quantity(value=300, qualifier="at_most", text="jusqu'à 300 drones")
    )
    assert match(condition(lower), ArticleView(a, [capped])) is None


def test_victims_by_group_and_by_the_words_of_the_count() -> None:
    sentence = "La frappe a tué six combattants près de Tyr."
    a = article(sentence)
    lexicons = {"fighters": ["combattants", "soldats"]}
    civilians = {"event": {"quantity": {"fields": ["killed"], "min": 1, "group": ["civilians"]}}}
    fighters = drone_event(a, sentence, killed=Quantity(value=6, text="six combattants", group="combatants"))
    assert match(condition(civilians), ArticleView(a, [fighters])) is None
    unstated = fighters.model_copy(update={"killed": Quantity(value=6, text="six combattants")})
    not_fighters = {"event": {"quantity": {"fields": ["killed"], "min": 1, "not_counting": "fighters"}}}
    assert fires_with(not_fighters, lexicons, sentence, events=[unstated]) is None
    dead = unstated.model_copy(update={"killed": Quantity(value=6, text="six morts")})
    assert fires_with(not_fighters, lexicons, sentence, events=[dead]) is not None
    zero = unstated.model_copy(update={"killed": Quantity(value=0, text="aucun mort")})
    assert fires_with(not_fighters, lexicons, sentence, events=[zero]) is None  # zero is no victim


def test_event_sentence_reads_its_evidence_title_included() -> None:
    title = "Gaza : une délégation au Caire pour négocier une trêve"
    text = "Les émissaires doivent arriver jeudi. Rien n'a filtré."
    a = article(text, title)
    talks = Event(
        id="e1",
        article_id=a.id,
        article_title=title,
        article_url=a.url,
        source=a.source,
        event_type="Interaction",
        sub_event_type="CONSULT",
        interaction="CONSULT",
        trigger="négocier",
        sentence=title,
        sentence_start=0,
        sentence_end=len(title),
        mentions=[
            EventMention(
                trigger="négocier", sentence=title, sentence_start=0, sentence_end=len(title), in_title=True
            )
        ],
    )
    raw = {"event": {"interaction": ["CONSULT"], "sentence": {"all": ["truce"]}}}
    lexicons = {"truce": ["trêve", "cessez-le-feu"]}
    rendered = fires_with(raw, lexicons, text, title, events=[talks])
    assert rendered == "Gaza : une délégation au Caire pour <mark>négocier</mark> une <mark>trêve</mark>"
    elsewhere = talks.model_copy(update={"mentions": [], "sentence": text[:37], "sentence_end": 37})
    assert fires_with(raw, lexicons, text, title, events=[elsewhere]) is None


def test_casualties_and_the_conflict_gate() -> None:
    toll = {"casualties": {"fields": ["civilians_killed", "civilians_injured"], "min": 1}}
    text = "Un texte."
    assert fires_with(toll, {}, text, casualties=Casualties(killed=3, civilians_injured=2)) is not None
    assert fires_with(toll, {}, text, casualties=Casualties(killed=3)) is None  # soldiers only
    assert fires_with(toll, {}, text) is None  # no toll
    gate = {"conflict": True}
    assert fires_with(gate, {}, text, conflict=None) is not None  # not decided: allowed
    assert fires_with(gate, {}, text, conflict=True) is not None
    assert fires_with(gate, {}, text, conflict=False) is None
    assert fires_with({"conflict": False}, {}, text, conflict=False) is not None


def test_each_passage_says_which_condition_it_proves() -> None:
    rules = parse_rules(
        {
            "version": 1,
            "lexicons": WOUNDED,
            "rules": [
                {
                    "name": "r",
                    "severity": "high",
                    "condition": {
                        "all": [
                            {"conflict": True},
                            {"any": [NUCLEAR, {"sentence": {"all": ["people", "hurt"]}}]},
                        ]
                    },
                }
            ],
        }
    )
    view = ArticleView(article("Deux civils ont été blessés dans la nuit."), [])
    found = match(rules.rules[0].condition, view)
    assert found is not None
    evidence = found.evidence()
    assert [why for why, _ in evidence] == [
        "condition.all[1].any[1]: sentence people + hurt",
        "condition.all[0]: conflict gate open (conflict=None)",
    ]
    passage = evidence[0][1]
    assert (
        passage is not None
        and passage.render(view.article.text)
        == "Deux <mark>civils</mark> ont été <mark>blessés</mark> dans la nuit."
    )
