"""French-aware matching: inflections, accents, elisions, word distance, sentence bounds, and the
entity/event/source/language leaves. Articles and events are built by hand."""

from __future__ import annotations

from typing import Any

import pytest

from vigie.alerting.matcher import ArticleView, match
from vigie.alerting.rules import Condition, RuleSet, parse_rules
from vigie.alerting.text import analyse, phrase_keys
from vigie.core.models import Article, EntityMention, EntityRef, Event, Quantity, stable_id


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
