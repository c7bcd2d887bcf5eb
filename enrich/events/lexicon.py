"""The event lexicon: triggers, compounds, phrases and modality words from
`enrich/data/triggers.yaml`, event types from `enrich/data/taxonomy.yaml` (ACLED types;
PLOVER types as `Interaction`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from enrich.kb import DATA_DIR, DataFileError, load_yaml
from enrich.text import fold
from enrich.tokens import folded_words

TRIGGERS_PATH = DATA_DIR / "triggers.yaml"
TRIGGERS_SCHEMA_PATH = DATA_DIR / "triggers.schema.json"
TAXONOMY_PATH = DATA_DIR / "taxonomy.yaml"
TAXONOMY_SCHEMA_PATH = DATA_DIR / "taxonomy.schema.json"
INTERACTION = "Interaction"
_LINE_MARKS = "-•*–— "  # list marks a line may open with


@dataclass(frozen=True)
class TriggerRule:
    name: str
    role: str  # attack | interception | damage | interaction | compound | phrase
    event_type: str
    sub_event_type: str
    by_weapon: bool = False  # a weapon in the sentence picks the remote-violence sub-type
    by_doc_weapon: bool = False  # ... or, failing that, a weapon elsewhere in the article
    by_context: bool = False
    object_required: bool = False
    object_forbidden: bool = False
    object_lemmas: frozenset[str] = frozenset()
    complement_cases: frozenset[str] = frozenset()
    # what a complement of `complement_cases` must name ("repartis avec une dizaine d'habitants")
    complement_lemmas: frozenset[str] = frozenset()
    subject_lemmas: frozenset[str] = frozenset()
    agent_lemmas: frozenset[str] = frozenset()  # the agent of a passive ("tués par des hommes armés")
    # what is attacked: an object, a noun's "de" complement or a target_cases complement
    # ("ont attaqué le hameau", "l'attaque du village", "des attaques contre des villages")
    target_lemmas: frozenset[str] = frozenset()
    # what the trigger must not act on ("abattu par des hommes armés" is a killing, "un drone
    # abattu par la défense aérienne" an interception)
    object_excluded: frozenset[str] = frozenset()
    # Shooters that make fire a ground attack typed by its context ("des tirs de soldats").
    ground_shooters: frozenset[str] = frozenset()
    # Fire no means decides (none in its sentence, no weapon in the article) is small-arms fire:
    # typed by its context like a ground means ("un soldat blessé par des tirs", "a essuyé des
    # tirs depuis la rive"), not shelling.
    ground_fallback: bool = False
    # Damage to property alone (no people harmed in the sentence, no civilian home or place
    # named) is this type ("des hommes armés ont incendié le poste de police").
    property_damage: tuple[str, str] | None = None
    threat_complement: bool = False  # a reporting verb: a threat only when its complement is one
    threat_object: bool = False  # ... or its object ("a promis une riposte")
    not_pronominal: bool = False  # the pronominal verb is another sense ("se réclamer de")
    # a passive use needs its agent ("menacé par Moscou"; "menacées de famine" is a danger)
    passive_agent_required: bool = False
    # (sentence lemmas, event type, sub-type): the first whose lemma the sentence has wins.
    refinements: tuple[tuple[frozenset[str], str, str], ...] = ()
    state_sub_event_type: str | None = None  # the sub-type when the actor is a state
    non_state_sub_event_type: str | None = None  # ... or a named non-state group
    # a noun trigger told only as what one of these verbs acts on, directly or through a "de"
    # complement ("ont repoussé une tentative d'infiltration", "une agression repoussée")
    governor_verbs: frozenset[str] = frozenset()
    # a sentence with one of these lemmas is no event of the rule ("le bilan ... après la
    # découverte de corps": a toll told again)
    unless_lemmas: frozenset[str] = frozenset()
    # a finding (bodies found): with another violent trigger in its sentence it is that
    # trigger's toll; a generic attack word among these lemmas takes the finding's type
    # ("treize corps retrouvés après l'attaque du site": an attack on civilians)
    finding: bool = False
    retyped_causes: frozenset[str] = frozenset()
    # a noun trigger one of these verbs perceives ("des explosions ont été entendues à Kiev",
    # "des explosions ont retenti"): the sound of an attack told elsewhere, no event of its own
    perceived_by: frozenset[str] = frozenset()
    # an operation that is the occasion of a non-violent event its sentence reports ("ont
    # arrêté cinq suspects lors d'une opération de ratissage"): that event, no battle
    occasion: bool = False
    # only a passive verb or participle ("a été abattu"; "ont abattu trois insurgés" is not)
    passive_only: bool = False
    # in the paragraph of the article's last violent event, or naming no place of its own after
    # one, that event's toll, no event of its own
    paragraph_toll: bool = False
    # in the paragraph of the article's last violent event of one of these types, with no
    # author named, part of that event ("les deux blindés ont été détruits par des drones"
    # after an assault repelled: the clash's losses, not a drone strike of their own)
    part_of_paragraph_event: frozenset[str] = frozenset()


@dataclass(frozen=True)
class CompoundRule:
    name: str
    event_type: str
    sub_event_type: str
    verbs: frozenset[str]
    objects: frozenset[str]
    state_sub_event_type: str | None = None
    non_state_sub_event_type: str | None = None


@dataclass(frozen=True)
class MeansRule:
    """Words naming what was used ("kamikaze", "grenade", "machette") and the type they pick."""

    lemmas: frozenset[str]
    event_type: str
    sub_event_type: str
    before_weapons: bool = False  # read before the knowledge base's weapons
    impact_only: bool = False  # only as what a verb of impact names ("a roulé sur une mine")
    by_context: bool = False  # a ground attack: the context rules decide its type


@dataclass(frozen=True)
class EventLexicon:
    skip_line_prefixes: tuple[str, ...]
    irrealis_governors: frozenset[str]
    realis_infinitive_governors: frozenset[str]
    purpose_marks: frozenset[str]
    negative_marks: frozenset[str]
    condition_marks: frozenset[str]
    negations: frozenset[str]
    particle_negations: frozenset[str]
    negation_particles: frozenset[str]
    future_stems: frozenset[str]
    scheduled_types: frozenset[str]
    fiction_nouns: frozenset[str]
    fiction_cases: frozenset[str]
    since_cases: frozenset[str]
    since_heads: frozenset[str]
    span_cases: frozenset[str]
    span_units: frozenset[str]
    span_past_words: frozenset[str]
    total_marks: frozenset[str]
    habitual_marks: frozenset[str]
    light_verbs: frozenset[str]
    patient_verbs: frozenset[str]
    outcome_verbs: frozenset[str]
    casualty_verbs: frozenset[str]
    claim_verbs: frozenset[str]
    opposition_verbs: frozenset[str]
    national_forces_prefixes: tuple[str, ...]
    non_event_heads: frozenset[str]
    target_nouns: frozenset[str]
    target_cases: frozenset[str]
    recipient_cases: frozenset[str]
    participant_cases: frozenset[str]
    non_location_cases: frozenset[str]
    direction_words: frozenset[str]
    origin_cases: frozenset[str]
    attribution_verbs: frozenset[str]
    weapon_interactions: frozenset[str]
    attacker_nouns: frozenset[str]
    person_nouns: frozenset[str]
    projectile_nouns: frozenset[str]
    population_nouns: frozenset[str]
    threat_words: frozenset[str]
    modal_verbs: frozenset[str]
    relational_nouns: frozenset[str]
    reply_verbs: frozenset[str]
    # Prepositions of a harm's cause ("blessés par l'explosion d'une mine", "tués dans le
    # bombardement"): a violent trigger there types the harm.
    cause_cases: frozenset[str]
    harm_verbs: frozenset[str]  # the harms a cause types ("tués", "endommagé")
    prospective_adjectives: frozenset[str]  # "la signature prochaine d'un accord"
    year_cases: frozenset[str]
    time_nouns: frozenset[str]
    span_nouns: frozenset[str]
    crowd_nouns: frozenset[str]
    between_cases: frozenset[str]
    total_words: frozenset[str]
    counted_since_heads: frozenset[str]
    suffered_threat_words: frozenset[str]
    object_control_verbs: frozenset[str]
    first_blame_words: frozenset[str]
    planning_verbs: frozenset[str]
    planned_event_types: frozenset[str]
    accident_causes: frozenset[str]
    means: tuple[MeansRule, ...]
    context_rules: tuple[tuple[frozenset[str], str, str], ...]
    triggers: dict[str, tuple[TriggerRule, ...]]
    compounds: tuple[CompoundRule, ...]
    phrases: tuple[tuple[tuple[str, ...], str, str, bool], ...]
    # phrases whose means type them (by_weapon), by their index in `phrases`
    weapon_phrases: frozenset[int]
    max_event_age_days: int
    event_types: dict[str, tuple[str, ...]]
    violent_types: frozenset[str]
    untargeted_types: frozenset[str]
    anonymous_types: frozenset[str]
    force_types: frozenset[str]
    symmetric: frozenset[str]
    # (event type, later sub-type) -> the earlier sub-type a mention referring back escalates
    escalations: dict[tuple[str, str], str]
    # (type, sub-type) -> the interaction it is when two parties are named
    between_parties: dict[tuple[str, str], tuple[str, str]]
    weapon_subtypes: tuple[tuple[str, str], ...]
    local_weapon_classes: frozenset[str]  # classes that type no other sentence of the article
    weapon_groups: dict[str, str]  # weapon class -> the group of classes one happening may swap
    # words of harm to people, and of civilian homes and places, that keep property damage an
    # attack (TriggerRule.property_damage)
    people_harm_words: frozenset[str] = frozenset()
    civilian_property: frozenset[str] = frozenset()
    # the sub-types of property damage: they take the counts of what they destroyed
    property_types: frozenset[str] = frozenset()
    commentator_nouns: frozenset[str] = frozenset()  # speakers who are no party
    # protests: hit, they meet excessive force; striking, they riot (SlotFiller._by_parties)
    protest_words: frozenset[str] = frozenset()
    security_nouns: frozenset[str] = frozenset()  # the forces of order
    armed_group_nouns: frozenset[str] = frozenset()  # an operation against them is a battle
    intrusion_cases: frozenset[str] = frozenset()  # "ont fait irruption dans la maison"
    distinct_subtypes: frozenset[str] = frozenset()  # never referred back to by a generic attack
    chair_verbs: frozenset[str] = frozenset()  # "a présidé une réunion du conseil": no CONSULT
    # phrases the means of their sentence type, with no armed striker required (by_means)
    means_phrases: frozenset[int] = frozenset()
    # territory taken: fighting in one of `takeover_circumstance_words` on it is how it was taken
    takeover_subtypes: frozenset[str] = frozenset()
    takeover_circumstance_words: frozenset[str] = frozenset()
    # "ceux qui les désamorcent": a present relative clause on these pronouns is no event
    generic_relative_heads: frozenset[str] = frozenset()

    def is_violent(self, event_type: str) -> bool:
        return event_type in self.violent_types

    def weapon_subtype(self, classes: Iterable[str]) -> str | None:
        """The remote-violence sub-type the first listed weapon class present picks."""
        present = set(classes)
        for weapon_class, sub_event_type in self.weapon_subtypes:
            if weapon_class in present:
                return sub_event_type
        return None

    def skips_line(self, line: str) -> bool:
        """Page furniture: a teaser of another article ("Lire aussi : ..."), list marks aside."""
        folded = fold(line).lstrip(_LINE_MARKS)
        return any(folded.startswith(prefix) for prefix in self.skip_line_prefixes)


def _check_type(
    taxonomy: dict[str, tuple[str, ...]], event_type: str, sub_event_type: str, where: str
) -> None:
    if sub_event_type not in taxonomy.get(event_type, ()):
        raise DataFileError(f"{where}: {event_type}/{sub_event_type} is not in {TAXONOMY_PATH.name}")


def _subtype_variants(
    taxonomy: dict[str, tuple[str, ...]], raw: dict, where: str
) -> tuple[str | None, str | None]:
    variants = (raw.get("state_sub_event_type"), raw.get("non_state_sub_event_type"))
    for variant in variants:
        if variant is not None:
            _check_type(taxonomy, raw["event_type"], variant, where)
    return variants


def _refinements(
    taxonomy: dict[str, tuple[str, ...]], raw: dict, where: str
) -> tuple[tuple[frozenset[str], str, str], ...]:
    refinements = []
    for item in raw.get("refinements", []):
        _check_type(taxonomy, item["event_type"], item["sub_event_type"], where)
        refinements.append((folded_words(item["lemmas"]), item["event_type"], item["sub_event_type"]))
    return tuple(refinements)


def _property_damage(taxonomy: dict[str, tuple[str, ...]], raw: dict, where: str) -> tuple[str, str] | None:
    item = raw.get("property_damage")
    if item is None:
        return None
    _check_type(taxonomy, item["event_type"], item["sub_event_type"], where)
    return item["event_type"], item["sub_event_type"]


@lru_cache(maxsize=2)
def default_lexicon() -> EventLexicon:
    taxonomy_data = load_yaml(TAXONOMY_PATH, TAXONOMY_SCHEMA_PATH)
    taxonomy = {k: tuple(v) for k, v in taxonomy_data["event_types"].items()}
    data = load_yaml(TRIGGERS_PATH, TRIGGERS_SCHEMA_PATH)
    triggers: dict[str, list[TriggerRule]] = {}
    for raw in data["triggers"]:
        where = f"{TRIGGERS_PATH}: {raw['name']}"
        _check_type(taxonomy, raw["event_type"], raw["sub_event_type"], where)
        state_subtype, non_state_subtype = _subtype_variants(taxonomy, raw, where)
        rule = TriggerRule(
            name=raw["name"],
            role=raw["role"],
            event_type=raw["event_type"],
            sub_event_type=raw["sub_event_type"],
            by_weapon=bool(raw.get("by_weapon", False)),
            by_doc_weapon=bool(raw.get("by_doc_weapon", raw.get("by_weapon", False))),
            by_context=bool(raw.get("by_context", False)),
            object_required=bool(raw.get("object_required", False)),
            object_forbidden=bool(raw.get("object_forbidden", False)),
            object_lemmas=folded_words(raw.get("object_lemmas", [])),
            complement_cases=folded_words(raw.get("complement_cases", [])),
            complement_lemmas=folded_words(raw.get("complement_lemmas", [])),
            subject_lemmas=folded_words(raw.get("subject_lemmas", [])),
            agent_lemmas=folded_words(raw.get("agent_lemmas", [])),
            target_lemmas=folded_words(raw.get("target_lemmas", [])),
            object_excluded=folded_words(raw.get("object_excluded", [])),
            ground_shooters=folded_words(raw.get("ground_shooters", [])),
            ground_fallback=bool(raw.get("ground_fallback", False)),
            property_damage=_property_damage(taxonomy, raw, where),
            threat_complement=bool(raw.get("threat_complement", False)),
            threat_object=bool(raw.get("threat_object", False)),
            not_pronominal=bool(raw.get("not_pronominal", False)),
            passive_agent_required=bool(raw.get("passive_agent_required", False)),
            refinements=_refinements(taxonomy, raw, where),
            state_sub_event_type=state_subtype,
            non_state_sub_event_type=non_state_subtype,
            governor_verbs=folded_words(raw.get("governor_verbs", [])),
            unless_lemmas=folded_words(raw.get("unless_lemmas", [])),
            finding=bool(raw.get("finding", False)),
            retyped_causes=folded_words(raw.get("retyped_causes", [])),
            perceived_by=folded_words(raw.get("perceived_by", [])),
            occasion=bool(raw.get("occasion", False)),
            passive_only=bool(raw.get("passive_only", False)),
            paragraph_toll=bool(raw.get("paragraph_toll", False)),
            part_of_paragraph_event=frozenset(raw.get("part_of_paragraph_event", ())),
        )
        for lemma in raw["lemmas"]:
            triggers.setdefault(fold(lemma), []).append(rule)
    compounds = []
    for raw in data["compounds"]:
        where = f"{TRIGGERS_PATH}: {raw['name']}"
        _check_type(taxonomy, raw["event_type"], raw["sub_event_type"], where)
        state_subtype, non_state_subtype = _subtype_variants(taxonomy, raw, where)
        compounds.append(
            CompoundRule(
                name=raw["name"],
                event_type=raw["event_type"],
                sub_event_type=raw["sub_event_type"],
                verbs=folded_words(raw["verbs"]),
                objects=folded_words(raw["objects"]),
                state_sub_event_type=state_subtype,
                non_state_sub_event_type=non_state_subtype,
            )
        )
    phrases = []
    for raw in data["phrases"]:
        _check_type(taxonomy, raw["event_type"], raw["sub_event_type"], f"{TRIGGERS_PATH}: phrase")
        phrases.append(
            (
                tuple(fold(w) for w in raw["lemmas"]),
                raw["event_type"],
                raw["sub_event_type"],
                bool(raw.get("by_context")),
            )
        )
    context_rules = []
    for raw in data["context_rules"]:
        _check_type(taxonomy, raw["event_type"], raw["sub_event_type"], f"{TRIGGERS_PATH}: context rule")
        context_rules.append((folded_words(raw["lemmas"]), raw["event_type"], raw["sub_event_type"]))
    means = []
    for raw in data["means"]:
        _check_type(taxonomy, raw["event_type"], raw["sub_event_type"], f"{TRIGGERS_PATH}: means")
        means.append(
            MeansRule(
                lemmas=folded_words(raw["lemmas"]),
                event_type=raw["event_type"],
                sub_event_type=raw["sub_event_type"],
                before_weapons=bool(raw.get("before_weapons", False)),
                impact_only=bool(raw.get("impact_only", False)),
                by_context=bool(raw.get("by_context", False)),
            )
        )
    between_parties: dict[tuple[str, str], tuple[str, str]] = {}
    for item in taxonomy_data.get("between_parties", []):
        source, target = tuple(item["from"]), tuple(item["to"])
        for event_type, sub_event_type in (source, target):
            _check_type(taxonomy, event_type, sub_event_type, f"{TAXONOMY_PATH}: between_parties")
        between_parties[(source[0], source[1])] = (target[0], target[1])
    for item in taxonomy_data.get("escalations", []):
        for sub_event_type in (item["from"], *item["to"]):
            _check_type(taxonomy, item["event_type"], sub_event_type, f"{TAXONOMY_PATH}: escalations")
    weapon_subtypes = tuple(
        (w["weapon_class"], w["sub_event_type"]) for w in taxonomy_data["weapon_subtypes"]
    )
    for _, sub_event_type in weapon_subtypes:
        _check_type(
            taxonomy, "Explosions/Remote violence", sub_event_type, f"{TAXONOMY_PATH}: weapon_subtypes"
        )
    return EventLexicon(
        skip_line_prefixes=tuple(fold(p) for p in data["skip_line_prefixes"]),
        irrealis_governors=folded_words(data["irrealis_governors"]),
        realis_infinitive_governors=folded_words(data["realis_infinitive_governors"]),
        purpose_marks=folded_words(data["purpose_marks"]),
        negative_marks=folded_words(data["negative_marks"]),
        condition_marks=folded_words(data["condition_marks"]),
        negations=folded_words(data["negations"]),
        particle_negations=folded_words(data["particle_negations"]),
        negation_particles=folded_words(data["negation_particles"]),
        future_stems=folded_words(data["future_stems"]),
        scheduled_types=frozenset(data["scheduled_types"]),
        fiction_nouns=folded_words(data["fiction_nouns"]),
        fiction_cases=folded_words(data["fiction_cases"]),
        since_cases=folded_words(data["since_cases"]),
        since_heads=folded_words(data["since_heads"]),
        span_cases=folded_words(data["span_cases"]),
        span_units=folded_words(data["span_units"]),
        span_past_words=folded_words(data["span_past_words"]),
        total_marks=folded_words(data["total_marks"]),
        habitual_marks=folded_words(data["habitual_marks"]),
        light_verbs=folded_words(data["light_verbs"]),
        patient_verbs=folded_words(data["patient_verbs"]),
        outcome_verbs=folded_words(data["outcome_verbs"]),
        casualty_verbs=folded_words(data["casualty_verbs"]),
        claim_verbs=folded_words(data["claim_verbs"]),
        opposition_verbs=folded_words(data["opposition_verbs"]),
        national_forces_prefixes=tuple(data["national_forces_prefixes"]),
        non_event_heads=folded_words(data["non_event_heads"]),
        target_nouns=folded_words(data["target_nouns"]),
        target_cases=folded_words(data["target_cases"]),
        recipient_cases=folded_words(data["recipient_cases"]),
        participant_cases=folded_words(data["participant_cases"]),
        non_location_cases=folded_words(data["non_location_cases"]),
        direction_words=folded_words(data["direction_words"]),
        origin_cases=folded_words(data["origin_cases"]),
        attribution_verbs=folded_words(data["attribution_verbs"]),
        weapon_interactions=frozenset(data["weapon_interactions"]),
        attacker_nouns=folded_words(data["attacker_nouns"]),
        person_nouns=folded_words(data["person_nouns"]),
        projectile_nouns=folded_words(data["projectile_nouns"]),
        population_nouns=folded_words(data["population_nouns"]),
        threat_words=folded_words(data["threat_words"]),
        modal_verbs=folded_words(data["modal_verbs"]),
        relational_nouns=folded_words(data["relational_nouns"]),
        reply_verbs=folded_words(data["reply_verbs"]),
        cause_cases=folded_words(data.get("cause_cases", [])),
        harm_verbs=folded_words(data.get("harm_verbs", [])),
        prospective_adjectives=folded_words(data.get("prospective_adjectives", [])),
        year_cases=folded_words(data["year_cases"]),
        time_nouns=folded_words(data.get("time_nouns", [])),
        span_nouns=folded_words(data.get("span_nouns", [])),
        crowd_nouns=folded_words(data.get("crowd_nouns", [])),
        between_cases=folded_words(data.get("between_cases", [])),
        total_words=folded_words(data.get("total_words", [])),
        counted_since_heads=folded_words(data.get("counted_since_heads", [])),
        suffered_threat_words=folded_words(data.get("suffered_threat_words", [])),
        object_control_verbs=folded_words(data.get("object_control_verbs", [])),
        first_blame_words=folded_words(data.get("first_blame_words", [])),
        planning_verbs=folded_words(data.get("planning_verbs", [])),
        planned_event_types=frozenset(data.get("planned_event_types", [])),
        accident_causes=folded_words(data.get("accident_causes", [])),
        people_harm_words=folded_words(data.get("people_harm_words", [])),
        civilian_property=folded_words(data.get("civilian_property", [])),
        commentator_nouns=folded_words(data.get("commentator_nouns", [])),
        protest_words=folded_words(data.get("protest_words", [])),
        security_nouns=folded_words(data.get("security_nouns", [])),
        armed_group_nouns=folded_words(data.get("armed_group_nouns", [])),
        intrusion_cases=folded_words(data.get("intrusion_cases", [])),
        distinct_subtypes=frozenset(data.get("distinct_subtypes", [])),
        chair_verbs=folded_words(data.get("chair_verbs", [])),
        means_phrases=frozenset(i for i, raw in enumerate(data["phrases"]) if raw.get("by_means")),
        takeover_subtypes=frozenset(data.get("takeover_subtypes", [])),
        takeover_circumstance_words=folded_words(data.get("takeover_circumstance_words", [])),
        generic_relative_heads=folded_words(data.get("generic_relative_heads", [])),
        property_types=frozenset(
            r.property_damage[1] for rules in triggers.values() for r in rules if r.property_damage
        ),
        means=tuple(means),
        context_rules=tuple(context_rules),
        triggers={k: tuple(v) for k, v in triggers.items()},
        compounds=tuple(compounds),
        phrases=tuple(phrases),
        weapon_phrases=frozenset(i for i, raw in enumerate(data["phrases"]) if raw.get("by_weapon")),
        max_event_age_days=int(data.get("max_event_age_days", 60)),
        event_types=taxonomy,
        violent_types=frozenset(taxonomy_data["violent_types"]),
        untargeted_types=frozenset(taxonomy_data.get("untargeted_types", [])),
        anonymous_types=frozenset(taxonomy_data.get("anonymous_types", [])),
        force_types=frozenset(taxonomy_data.get("force_types", [])),
        symmetric=frozenset(taxonomy_data["symmetric"]),
        between_parties=between_parties,
        escalations={
            (item["event_type"], later): item["from"]
            for item in taxonomy_data.get("escalations", [])
            for later in item["to"]
        },
        weapon_subtypes=weapon_subtypes,
        local_weapon_classes=frozenset(
            w["weapon_class"] for w in taxonomy_data["weapon_subtypes"] if not w.get("from_article", True)
        ),
        weapon_groups={
            weapon_class: group
            for group, classes in taxonomy_data.get("weapon_groups", {}).items()
            for weapon_class in classes
        },
    )
