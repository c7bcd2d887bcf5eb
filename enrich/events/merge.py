"""Merging: triggers of one event in a sentence become one mention (`merge_sentence`), and
`merge_mentions` folds the mentions of an article into incidents, the unit Vigie stores.

An incident keeps every mention as evidence (`Event.mentions`); its figures are the best report
of each (a revised toll replaces earlier ones, else the highest report: tolls only rise), never
the sum of the mentions, so "70 drones" in a summary and "34" + "36" in bullet points stay 70.
Folding is idempotent: incidents folded again give the same incidents."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from functools import lru_cache
from itertools import combinations

from enrich import dates as dates_module
from enrich import quantities as quantities_module
from enrich.events.counts import other_sides_toll
from enrich.events.lexicon import EventLexicon, default_lexicon
from enrich.events.places import specific_places
from enrich.events.state import Candidate
from enrich.kb import DATA_DIR, KnowledgeBase, load_yaml
from enrich.text import fold
from vigie.core.models import EntityRef, Event, Quantity


@lru_cache(maxsize=1)
def _parties_data() -> dict:
    """parties.yaml, read once for the word lists merging uses (denied claims, superseded versions)."""
    return load_yaml(DATA_DIR / "parties.yaml", DATA_DIR / "parties.schema.json")


@lru_cache(maxsize=1)
def _denied_claims() -> tuple[tuple[tuple[str, ...], ...], int, frozenset[str]]:
    data = _parties_data().get("denied_claims", {})
    return (
        tuple(tuple(_words(r)) for r in data.get("relatives", [])),
        int(data.get("window", 6)),
        frozenset(fold(w) for w in data.get("verbs", [])),
    )


def _words(text: str) -> list[str]:
    return "".join(c if c.isalpha() else " " for c in fold(text)).split()


@lru_cache(maxsize=4096)
def _denied_clauses(sentence: str) -> tuple[str, ...]:
    """The clauses of a sentence a denial relative closes ("..., ce que Kiev dément"): the words
    from the clause's start (the sentence's, or its last ";") to the relative."""
    relatives, window, verbs = _denied_claims()
    if not any(v in fold(sentence) for v in verbs):
        return ()
    clauses: list[str] = []
    for part in sentence.split(";"):
        words = _words(part)
        for i in range(len(words)):
            for relative in relatives:
                if tuple(words[i : i + len(relative)]) == relative and any(
                    w in verbs for w in words[i + len(relative) : i + len(relative) + window]
                ):
                    clauses.append(" ".join(words[:i]))
    return tuple(clauses)


def _denied_claim(event: Event) -> bool:
    """A mention of a claim the other side denies in the same sentence ("Le ministère russe de
    la Défense a revendiqué la prise d'Ouspenivka, ce que Kiev dément"; parties.yaml
    `denied_claims`): an unverified claim of one side, no event. A mention giving people killed
    or injured stays: the denial then covers who did it, not that it happened."""
    if any(getattr(event, slot) is not None for slot in quantities_module.TOLL_SLOTS):
        return False
    sentences = [(m.sentence, m.trigger) for m in event.mentions] or [(event.sentence, event.trigger)]
    return all(
        any(set(_words(trigger)) <= set(clause.split()) for clause in _denied_clauses(sentence))
        for sentence, trigger in sentences
    )


@lru_cache(maxsize=1)
def _superseded_versions() -> tuple[frozenset[str], frozenset[str]]:
    data = _parties_data().get("superseded_versions", {})
    return (
        frozenset(fold(w) for w in data.get("nouns", [])),
        frozenset(fold(w) for w in data.get("qualifiers", [])),
    )


@lru_cache(maxsize=4096)
def _superseded_sentence(sentence: str) -> bool:
    nouns, qualifiers = _superseded_versions()
    folded = fold(sentence)
    if not any(noun in folded for noun in nouns):
        return False
    words = _words(sentence)
    return any(
        word in nouns and any(w in qualifiers for w in words[max(0, i - 2) : i + 3])
        for i, word in enumerate(words)
    )


def _superseded(event: Event) -> bool:
    """A mention read in a correction notice, telling what an earlier version of the article said
    ("Correctif : une version précédente de cette dépêche attribuait l'attaque à Boko Haram";
    parties.yaml `superseded_versions`): a retracted report, no event of its own."""
    sentences = [m.sentence for m in event.mentions] or [event.sentence]
    return all(_superseded_sentence(s) for s in sentences)


def _state_id(ref: EntityRef, kb: KnowledgeBase) -> str | None:
    entry = kb.get(ref.id)
    state = kb.country_of(entry) if entry is not None else None
    return state.id if state is not None else None


def _compatible(a: EntityRef | None, b: EntityRef | None, kb: KnowledgeBase) -> bool:
    """Two slot values may name the same party: equal, unknown on one side, a person or body
    and its own state ("Poutine" / "Russie", "Marco Rubio" / "États-Unis"), or two bodies of
    one state ("le ministère russe de la Défense" / "l'armée russe"; not two persons)."""
    if a is None or b is None or a.id == b.id:
        return True
    state_a, state_b = _state_id(a, kb), _state_id(b, kb)
    if state_a == b.id or state_b == a.id:
        return True
    # two bodies of one state ("le ministère russe de la Défense", "l'armée russe")
    return state_a is not None and state_a == state_b and _body(a, kb) and _body(b, kb)


_BODY_TYPES = frozenset({"ORG", "MILITARY"})


def _body(ref: EntityRef, kb: KnowledgeBase) -> bool:
    """A body acting for a state (its ministry, its armed forces), not a person or a place."""
    entry = kb.get(ref.id)
    return entry is not None and entry.type in _BODY_TYPES and entry.kind != "country"


def _parties_compatible(
    a: tuple[EntityRef | None, EntityRef | None],
    b: tuple[EntityRef | None, EntityRef | None],
    kb: KnowledgeBase,
    symmetric: bool,
) -> bool:
    if not symmetric:
        return _compatible(a[0], b[0], kb) and _compatible(a[1], b[1], kb)
    left = [r for r in a if r is not None]
    right = [r for r in b if r is not None]
    small, large = (left, right) if len(left) <= len(right) else (right, left)
    used: set[int] = set()
    for ref in small:
        match = next(
            (j for j, other in enumerate(large) if j not in used and _compatible(ref, other, kb)), None
        )
        if match is None:
            return False
        used.add(match)
    return True


def _sides(event: Event, kb: KnowledgeBase, symmetric: bool) -> tuple[EntityRef | None, EntityRef | None]:
    """The parties a mention gives its incident. A symmetric interaction read between a body or
    person and its own state ("le Kremlin, qui a qualifié l'échange" read as Kremlin-Russie), or
    between a state's body and its leader, gives one side only (the state, the leader): the other
    side is the one the mention left unread."""
    actor, target = event.actor, event.target
    if not symmetric or actor is None or target is None or actor.id == target.id:
        return actor, target
    if _state_id(actor, kb) == target.id:
        return target, None
    if _state_id(target, kb) == actor.id:
        return actor, None
    state = _state_id(actor, kb)
    if state is not None and state == _state_id(target, kb) and (_body(actor, kb) or _body(target, kb)):
        # a state's body and its own leader ("la Maison Blanche" / "Donald Trump"): the leader
        return (target, None) if _body(actor, kb) else (actor, None)
    return actor, target


def _weapon_groups(event: Event, kb: KnowledgeBase, lexicon: EventLexicon) -> set[str]:
    groups = set()
    for weapon in event.weapons:
        entry = kb.get(weapon)
        group = lexicon.weapon_groups.get(entry.weapon_class or "") if entry is not None else None
        if group is not None:
            groups.add(group)
    return groups


def _weapons_compatible(a: Event, b: Event, kb: KnowledgeBase, lexicon: EventLexicon) -> bool:
    """Two mentions naming weapons of different groups only (guided bombs here, drones
    there) tell two happenings."""
    groups_a, groups_b = _weapon_groups(a, kb, lexicon), _weapon_groups(b, kb, lexicon)
    return not (groups_a and groups_b and not groups_a & groups_b)


def _vote(refs: Sequence[EntityRef | None]) -> EntityRef | None:
    """The value most mentions give (ties: the first given)."""
    counts: dict[str, int] = {}
    first: dict[str, EntityRef] = {}
    for ref in refs:
        if ref is not None:
            counts[ref.id] = counts.get(ref.id, 0) + 1
            first.setdefault(ref.id, ref)
    if not counts:
        return None
    best = max(counts, key=lambda key: (counts[key], -list(first).index(key)))
    return first[best]


def _stated_date(event: Event, published: date | None) -> date | None:
    """The day a mention states for its event: its date, unless that is the publication date
    by default (a sentence that names no day). "Mercredi" on a Wednesday's article is stated,
    and tells another day than "la veille au soir"."""
    if event.event_date is None or event.event_date != published:
        return event.event_date
    for mention in event.mentions:
        if dates_module.resolve_date(mention.sentence, event.event_date) is not None:
            return event.event_date
    return None


def _others(event: Event, slot: str) -> bool:
    """The mention's toll of `slot` is the other side's only (`counts.other_sides_toll`)."""
    quantity = getattr(event, slot)
    if quantity is None:
        return False
    sentence = " . ".join(m.sentence for m in event.mentions) or event.sentence
    return other_sides_toll(quantity, sentence)


@lru_cache(maxsize=4096)
def _names_a_day(sentence: str, reference: date) -> bool:
    return dates_module.resolve_date(sentence, reference) is not None


def _names_its_day(event: Event) -> bool:
    return event.event_date is not None and any(
        _names_a_day(m.sentence, event.event_date) for m in event.mentions
    )


def _inherited_day(event: Event) -> bool:
    """A mention naming no place, no attacker and no day ("une centaine de huttes ont été
    incendiées", "Un soldat a été tué"): its day is the one its paragraph or the event told
    before it gave, so it tells no happening of another day."""
    return (
        not event.places
        and event.actor is None
        and event.event_date is not None
        and not _names_its_day(event)
    )


def _context_day(event: Event, places: set[str]) -> bool:
    """A mention naming no day and no attacker whose places, if any, are places the incident
    names already ("Sept blessés ont été admis à l'hôpital de Biakato" after the attack near
    Biakato): like a mention naming no place (`_inherited_day`), its day is its paragraph's
    (the day a toll was revised, "Mardi, le bilan a été porté à ..."), not another happening's."""
    return _inherited_day(event) or (
        bool(event.places)
        and event.actor is None
        and event.event_date is not None
        and _place_ids(event) <= places
        and not _names_its_day(event)
    )


def _revision(event: Event) -> bool:
    return any(
        q is not None and q.revised for q in (getattr(event, slot) for slot in quantities_module.SLOTS)
    )


def best_report(
    earlier: Quantity | None, later: Quantity | None, titles: tuple[bool, bool] = (False, False)
) -> Quantity | None:
    """One figure reported twice: a revision ("le bilan s'est alourdi à ...") replaces what came
    before it; otherwise the higher report is kept. `titles` says which report a headline gave:
    a headline drops the text's qualifier ("neuf morts" over "Au moins neuf personnes ont été
    tuées"), so of one value the text's report is kept."""
    if earlier is None or later is None:
        return earlier or later
    if later.revised != earlier.revised:
        return later if later.revised else earlier
    if earlier.value == later.value and titles[0] != titles[1]:
        return later if titles[0] else earlier
    return quantities_module.larger(earlier, later)


def _representative(
    members: list[Event], symmetric: bool, published: date | None, kb: KnowledgeBase
) -> Event:
    merged = members[0].model_copy(deep=True)
    if symmetric:
        refs = [r for m in members for r in (m.actor, m.target) if r is not None]
        winner = _vote(refs)
        rest = [r for r in refs if winner is None or r.id != winner.id]
        runner = _vote(rest)
        order = [r.id for r in refs]
        pair = sorted((r for r in (winner, runner) if r is not None), key=lambda r: order.index(r.id))
        merged.actor = pair[0] if pair else None
        merged.target = pair[1] if len(pair) > 1 else None
    else:
        merged.actor = _vote([m.actor for m in members])
        # A group the text names as hit over a state read from a place ("membres du Hezbollah").
        named = [
            m.target
            for m in members
            if m.target is not None and m.target.type != "LOC" and _state_id(m.target, kb) is None
        ]
        merged.target = _vote(named or [m.target for m in members])
    # whether the report kept for each slot so far is a headline's
    from_title = {slot: _headline(members[0]) for slot in quantities_module.SLOTS}
    # a precise headline figure the text states again is the incident's toll: a later, larger
    # figure that revises nothing counts other people ("cinq rebelles ont été tués lors de
    # l'échange de tirs" after "deux soldats tués" in the headline and the text)
    confirmed = dict.fromkeys(quantities_module.SLOTS, False)
    # Tolls of the attacking side ("l'armée affirme avoir neutralisé une dizaine de
    # terroristes", "trois assaillants ont été abattus") neither add to nor replace the toll of
    # the people they attacked; they are the incident's toll only when it reports no other.
    victims = {
        slot
        for slot in quantities_module.TOLL_SLOTS
        if any(getattr(m, slot) is not None and not _others(m, slot) for m in members)
    }
    for slot in victims:
        if _others(members[0], slot):
            setattr(merged, slot, None)
    # whether a mention names the incident's day; whether the day kept so far is its context's
    day_named = any(not _inherited_day(m) and _names_its_day(m) for m in members)
    weak = day_named and _inherited_day(members[0])
    for member in members[1:]:
        merged.weapons += [w for w in member.weapons if w not in merged.weapons]
        merged.places += [p for p in member.places if all(q.id != p.id for q in merged.places)]
        merged.places = specific_places(merged.places, kb)
        merged.location = merged.location or member.location
        title = _headline(member)
        for slot in quantities_module.SLOTS:
            kept, other = getattr(merged, slot), getattr(member, slot)
            if confirmed[slot] and other is not None and not other.revised:
                continue
            if slot in victims and _others(member, slot):
                continue
            if (
                kept is not None
                and other is not None
                and kept.value == other.value
                and kept.qualifier == "exact"  # "une vingtaine" is refined by a precise figure
                and from_title[slot] != title
            ):
                confirmed[slot] = True
            best = best_report(kept, other, (from_title[slot], title))
            if best is not kept:
                from_title[slot] = title
            setattr(merged, slot, best)
        stated = member.event_date is not None and member.event_date != published
        # a day taken from the context does not replace the day a mention names
        inherited = _inherited_day(member)
        if stated and (not inherited or not day_named) and (merged.event_date in (None, published) or weak):
            merged.event_date = member.event_date
            weak = inherited
        merged.confidence = max(merged.confidence, member.confidence)
    merged.mentions = [mention for member in members for mention in member.mentions]
    merged.mention_count = max(1, len(merged.mentions))
    return merged


def _figures(event: Event) -> set[tuple[str, int]]:
    return {(slot, q.value) for slot in quantities_module.SLOTS if (q := getattr(event, slot)) is not None}


def _headline(event: Event) -> bool:
    """A mention read in the headline: in the title field, or in the text's first line when the
    text repeats the title there."""
    title = " ".join(event.article_title.split())
    return bool(event.mentions) and all(
        m.in_title
        or (m.sentence_start < len(event.article_title) and " ".join(m.sentence.split())[:40] in title)
        for m in event.mentions
    )


def _in_title(event: Event) -> bool:
    return bool(event.mentions) and all(m.in_title for m in event.mentions)


def _closest(event: Event, fits: list[int], clusters: list[list[Event]]) -> int:
    """The incident a mention compatible with several belongs to: the one giving the same
    figure ("Moscou dit avoir abattu 112 drones" in a headline, the 112 drones of the text);
    else, for a text mention missing a party (a toll read after its event: "L'hôpital fait état
    de trois morts"; "A Lgov, un drone a endommagé une sous-station" after the night's raid),
    the incident told last before it; else the first."""
    figures = _figures(event)
    if figures:
        shared = [i for i in fits if any(figures & _figures(m) for m in clusters[i])]
        if shared:
            return shared[0]
    if (event.actor is None or event.target is None) and not _in_title(event):
        before = [
            (max(m.sentence_start for m in told), i)
            for i in fits
            if (
                told := [
                    m for m in clusters[i] if not _in_title(m) and m.sentence_start < event.sentence_start
                ]
            )
        ]
        if before:
            return max(before)[1]
    return fits[0]


def _countries_apart(kept: Event, event: Event, kb: KnowledgeBase) -> bool:
    """A mention placed only in countries the incident's places are not in ("deux blessés dans
    la région de Soumy", then "40 drones ukrainiens interceptés au-dessus de Belgorod", Russia's
    claim) tells another happening, whatever parties the incident leaves unnamed: an incident
    does not cross a change of country. The mention's places count when it tells what happened
    there with a trigger of its own, or when one of its parties belongs to their country; a
    bare count's place may be no place of the event (a ship "arrivé de Constanța")."""
    countries = {p.country for p in event.places if p.country}
    theirs = {p.country for p in kept.places if p.country}
    if not countries or not theirs or countries & theirs:
        return False
    if not _bare(event):
        return True
    return any(
        (entry := kb.get(ref.id)) is not None
        and (state := kb.country_of(entry)) is not None
        and state.country in countries
        for ref in (event.actor, event.target)
        if ref is not None
    )


def _bare(event: Event) -> bool:
    """A mention whose trigger is the noun it counts ("trois personnes ont été blessées", "un
    vraquier ... a subi des dégâts"): no trigger of its own."""
    return any(
        event.trigger in (q.text or "").split()
        for slot in quantities_module.SLOTS
        if (q := getattr(event, slot)) is not None
    )


def _apart(members: Sequence[Event]) -> bool:
    """Mentions telling happenings in different places: each names places, none shared."""
    places = [{p.id for p in m.places} for m in members]
    return all(places) and all(not a & b for a, b in combinations(places, 2))


def _kinds_apart(members: Sequence[Event]) -> bool:
    """Mentions of different sub-types each (a drone strike and a shelling): two happenings,
    whether or not each names its place."""
    return len({(m.event_type, m.sub_event_type) for m in members}) == len(members)


def _summed_headline_figures(events: Sequence[Event]) -> list[Event]:
    """A headline joining two incidents ("deux soldats tués à A, trois insurgés abattus à B",
    "Frappes sur A et B : 5 morts") gives the sum of their tolls, not a third figure: a
    headline figure the text never states, equal to the sum of two or three figures of that
    slot the text gives for happenings in different places or of different sub-types, is
    dropped from the headline mention, so each incident keeps its own toll."""
    body = [e for e in events if not _headline(e)]
    out: list[Event] = []
    for event in events:
        drop: dict[str, None] = {}
        if _headline(event):
            for slot in quantities_module.SLOTS:
                figure = getattr(event, slot)
                if figure is None:
                    continue
                told = [m for m in body if getattr(m, slot) is not None]
                if any(getattr(m, slot).value == figure.value for m in told):
                    continue
                if any(
                    sum(getattr(m, slot).value for m in group) == figure.value
                    and (_apart(group) or _kinds_apart(group))
                    for size in (2, 3)
                    for group in combinations(told, size)
                ):
                    drop[slot] = None
        out.append(event.model_copy(update=drop) if drop else event)
    return out


def _toll_only(event: Event) -> bool:
    """A mention reporting people killed or injured and no projectiles."""
    return any(getattr(event, s) is not None for s in quantities_module.TOLL_SLOTS) and all(
        getattr(event, s) is None for s in quantities_module.SLOTS if s not in quantities_module.TOLL_SLOTS
    )


def _place_ids(event: Event) -> set[str]:
    return {p.id for p in event.places}


def _toll_owner(
    event: Event, events: Sequence[Event], kb: KnowledgeBase, lexicon: EventLexicon
) -> Event | None:
    """The mention of another sub-type whose incident a toll mention reports: the toll named
    at a place where only that incident's mentions give a toll ("frappe de missiles sur A : 2
    morts" ... "le bilan de la frappe sur A passe à 4 morts", the revision read as a drone
    strike; a headline's "trois civils tués à A" typed with the riot it also names), or, for a
    revised toll naming no such place, the incident whose toll it revises: the last one told
    before it with a toll of that slot."""
    kind = (event.event_type, event.sub_event_type)
    revised = {s for s in quantities_module.TOLL_SLOTS if (q := getattr(event, s)) is not None and q.revised}
    symmetric = event.sub_event_type in lexicon.symmetric

    # a toll with no trigger of its own ("trois civils tués à A" read as the headline's riot)
    bare = any(
        event.trigger in (q.text or "").split()
        for s in quantities_module.TOLL_SLOTS
        if (q := getattr(event, s)) is not None
    )

    def reports(other: Event, slot: str) -> bool:
        mine, theirs = getattr(event, slot), getattr(other, slot)
        if mine is None or theirs is None:
            return False
        # a revision raises a toll ("le bilan s'est alourdi à 4 morts" revises no report of 9)
        return (slot in revised and mine.value > theirs.value) or (bare and mine.value == theirs.value)

    def fits(other: Event) -> bool:
        return (
            other is not event
            and other.article_id == event.article_id
            and (other.event_type, other.sub_event_type) != kind
            and lexicon.is_violent(other.event_type)
            and _parties_compatible(
                (event.actor, event.target),
                (other.actor, other.target),
                kb,
                symmetric or other.sub_event_type in lexicon.symmetric,
            )
        )

    if bare and not _headline(event):
        # "La police a dispersé la foule ; une trentaine de personnes ont été blessées": a toll
        # with no trigger of its own told right after a protest met with force (a sub-type a
        # protest escalates to) is that protest's, not the last violent event's.
        told = [m for m in events if not _headline(m) and m.sentence_start < event.sentence_start]
        if told:
            last = max(told, key=lambda m: m.sentence_start)
            if (
                (last.event_type, last.sub_event_type) in lexicon.escalations
                and (last.event_type, last.sub_event_type) != kind
                and _parties_compatible((event.actor, event.target), (last.actor, last.target), kb, True)
            ):
                return last
    places = _place_ids(event)
    own = [
        m
        for m in events
        if m is not event
        and (m.event_type, m.sub_event_type) == kind
        and any(getattr(m, s) is not None for s in quantities_module.TOLL_SLOTS)
    ]
    if places and not any(places & _place_ids(m) for m in own):
        # a headline's type is the weaker reading: a text mention never takes it
        at_place = [
            m
            for m in events
            if fits(m)
            and (_headline(event) or not _headline(m))
            and places & _place_ids(m)
            and any(reports(m, s) for s in quantities_module.TOLL_SLOTS)
        ]
        if len({(m.event_type, m.sub_event_type) for m in at_place}) == 1:
            return at_place[0]
    if _headline(event):
        # A headline's toll is the toll of the incident whose text gives that figure ("six morts
        # dans une fusillade" over the attack whose toll rose to six, when the clash told after
        # it gives another): a headline's type is the weaker reading, unless a weapon gave it
        # ("des obus tuent onze civils" stays shelling whatever the text's mentions are typed).
        if event.weapons:
            return None
        figures = {(s, q.value) for s in quantities_module.TOLL_SLOTS if (q := getattr(event, s)) is not None}
        text = [m for m in events if m is not event and not _headline(m)]
        mine = [m for m in text if (m.event_type, m.sub_event_type) == kind]
        # the text tells the headline's kind of incident with another toll of that slot, and
        # never with the headline's figure (a kind the text never tells may be the text's
        # mistyping, not the headline's)
        other = any(getattr(m, s) is not None for m in mine for s, _ in figures)
        if other and not any(_figures(m) & figures for m in mine):
            giving = [m for m in text if fits(m) and _figures(m) & figures]
            if len({(m.event_type, m.sub_event_type) for m in giving}) == 1:
                return giving[0]
        return None
    if not revised:
        return None
    tolled = [
        m
        for m in events
        if m is not event and not _headline(m) and any(getattr(m, s) is not None for s in revised)
    ]
    before = [m for m in tolled if m.sentence_start < event.sentence_start]
    if before:
        last = max(before, key=lambda m: m.sentence_start)
        return last if fits(last) and any(reports(last, s) for s in revised) else None
    # A revision leading the text ("Mise à jour : le bilan est passé mercredi à 61 morts"),
    # typed before any incident was told: the incident whose first toll it revises, told next.
    # Not a revision with a trigger of its own ("le nombre de soldats tués dans l'attaque de A a
    # été porté à 21"): it names its incident, and the next one told is another.
    after = [m for m in tolled if m.sentence_start > event.sentence_start]
    if not after or not bare:
        return None
    first = min(after, key=lambda m: m.sentence_start)
    return first if fits(first) and any(reports(first, s) for s in revised) else None


def _tolls_to_their_incident(
    events: Sequence[Event], kb: KnowledgeBase, lexicon: EventLexicon
) -> list[Event]:
    """Toll mentions typed as another incident of the article than the one whose toll they
    give (`_toll_owner`) take that incident's type, so they fold into it."""
    out: list[Event] = []
    for event in events:
        owner = _toll_owner(event, events, kb, lexicon) if _toll_only(event) else None
        if owner is not None:
            update: dict[str, object] = {
                "event_type": owner.event_type,
                "sub_event_type": owner.sub_event_type,
            }
            if (owner.event_type, owner.sub_event_type) in lexicon.escalations:
                # a toll read as the last violent event's carried that event's day
                update["event_date"] = owner.event_date
            event = event.model_copy(update=update)
        out.append(event)
    return out


def merge_mentions(
    events: Sequence[Event], kb: KnowledgeBase, lexicon: EventLexicon | None = None
) -> list[Event]:
    """Fold the mentions of one article into distinct events (incidents).

    Mentions of the same type and sub-type whose parties are compatible (equal, unknown on one
    side, or a person/body and its own state), whose weapons are not of different groups only
    (taxonomy.yaml `weapon_groups`) and whose stated dates agree are one event. The
    merged event keeps the first mention's text, the actor and target most mentions give, all
    weapons and places, the best report of each count (`best_report`), a stated date over the
    publication date, and every mention as evidence.
    """
    lexicon = lexicon or default_lexicon()
    events = [e for e in events if not _superseded(e) and not _denied_claim(e)]
    events = _summed_headline_figures(events)
    events = _tolls_to_their_incident(events, kb, lexicon)
    clusters: list[list[Event]] = []
    representatives: list[Event] = []
    for event in events:
        published = event.published.date() if event.published else None
        symmetric = event.sub_event_type in lexicon.symmetric
        fits: list[int] = []
        for index, kept in enumerate(representatives):
            if (kept.event_type, kept.sub_event_type, kept.article_id) != (
                event.event_type,
                event.sub_event_type,
                event.article_id,
            ):
                continue
            if not _parties_compatible(
                _sides(kept, kb, symmetric), _sides(event, kb, symmetric), kb, symmetric
            ):
                continue
            if not _weapons_compatible(kept, event, kb, lexicon):
                continue
            if _countries_apart(kept, event, kb):
                continue
            # the days its mentions state (a claim's day is no mention's: "ont revendiqué samedi")
            # Two stated days are two happenings, except the day of a revised toll: "le bilan
            # s'est alourdi mardi à 52 morts" dates the revision, not the attack, whether it is
            # told after the attack or before it (a "Mise à jour" lead).
            # A toll told after the revision without a place of its own ("Une dizaine de
            # personnes ont été blessées") carries the revision's day, not one of its own; so
            # does any mention naming neither a place nor a day (its day is its context's).
            told = (*clusters[index], event)
            revised_days = {_stated_date(m, published) for m in told if _revision(m)}
            dates = {
                day
                for m in told
                if not _revision(m)
                and not (
                    (day := _stated_date(m, published)) in revised_days and _toll_only(m) and not m.places
                )
                and not _context_day(m, {p.id for o in told if o is not m for p in o.places})
            } - {None}
            if len(dates) > 1:
                continue
            fits.append(index)
        if fits:
            index = _closest(event, fits, clusters)
            clusters[index].append(event)
            representatives[index] = _representative(clusters[index], symmetric, published, kb)
        else:
            clusters.append([event])
            representatives.append(event.model_copy(deep=True))
    _fold_headlines(clusters, representatives, kb, lexicon)
    for incident in representatives:
        if incident.event_date is None and incident.published is not None:
            incident.event_date = incident.published.date()  # only claims dated it
    return representatives


def _vague_kind(event: Event, lexicon: EventLexicon) -> bool:
    """A violent kind a headline's wording may restate another way ("attaque" for a clash,
    "village incendié" for an attack on it): not one of its own kind (an abduction)."""
    return lexicon.is_violent(event.event_type) and event.sub_event_type not in lexicon.distinct_subtypes


def _places_fit(headline: Event, body: Event, kb: KnowledgeBase) -> bool:
    """A headline's places situate the body's incident: none, shared, or the country of one
    of the incident's places; an incident naming no place takes any."""
    if not headline.places or not body.places:
        return True
    ids = _place_ids(body)
    countries = {p.country for p in body.places if p.country}
    return any(
        p.id in ids
        or ((entry := kb.get(p.id)) is not None and entry.kind == "country" and entry.country in countries)
        for p in headline.places
    )


def _summarises(headline: Event, body: Event, kb: KnowledgeBase, lexicon: EventLexicon) -> bool:
    """Whether a headline's incident of another violent kind can restate a body incident."""
    if body.article_id != headline.article_id or (body.event_type, body.sub_event_type) == (
        headline.event_type,
        headline.sub_event_type,
    ):
        return False
    if not _vague_kind(body, lexicon):
        return False
    symmetric = headline.sub_event_type in lexicon.symmetric or body.sub_event_type in lexicon.symmetric
    if not _parties_compatible((headline.actor, headline.target), (body.actor, body.target), kb, symmetric):
        return False
    groups = _weapon_groups(headline, kb, lexicon)
    if groups and not groups & _weapon_groups(body, kb, lexicon):
        return False  # "un drone tue deux soldats" over a clash: a drone strike of its own
    if not _places_fit(headline, body, kb):
        return False
    published = headline.published.date() if headline.published else None
    day = _stated_date(headline, published)
    return day is None or body.event_date in (None, day)


def _restates_its_toll(
    headline: Event, body: Event, members: Sequence[Event], kb: KnowledgeBase, lexicon: EventLexicon
) -> bool:
    """Whether a headline's incident of the body incident's own kind restates it with one of its
    figures ("trois soldats tués par une bombe artisanale près de A, frappes contre l'EI" over
    "Trois soldats irakiens ont été tués par l'explosion d'un engin"), though a party the
    headline's short syntax hung on its victims (the next headline clause's "l'EI", "Kim
    Yo-jong menace Séoul") keeps the two apart: the headline's parties are the weaker reading."""
    if body.article_id != headline.article_id or (body.event_type, body.sub_event_type) != (
        headline.event_type,
        headline.sub_event_type,
    ):
        return False
    figures = _figures(headline)
    if not figures or not any(figures & _figures(m) for m in members):
        return False
    if not _weapons_compatible(headline, body, kb, lexicon) or not _places_fit(headline, body, kb):
        return False
    published = headline.published.date() if headline.published else None
    day = _stated_date(headline, published)
    return day is None or body.event_date in (None, day)


def _other_figure(headline: Event, members: Sequence[Event], told: Sequence[Event] = ()) -> bool:
    """The headline gives a count its body incident gives another figure of and never its own
    ("une dirigeante assassinée" over a clash's four dead): another happening. Not a toll the
    text told with the headline revised (`told`: "le bilan s'est alourdi à neuf blessés" over
    the strike's first "trois personnes ont été blessées"): tolls only rise."""
    given = {figure for member in members for figure in _figures(member)}
    revised = {
        slot
        for m in told
        for slot in quantities_module.TOLL_SLOTS
        if (q := getattr(m, slot)) is not None and q.revised
    }
    return any(
        (slot, value) not in given and slot not in revised and any(s == slot for s, _ in given)
        for slot, value in _figures(headline)
    )


def _unarmed_remote(event: Event) -> bool:
    """Remote violence read with no weapon ("un raid", "incendié"): a kind no means gave."""
    return event.event_type == "Explosions/Remote violence" and not event.weapons


def _headline_told(members: Sequence[Event]) -> bool:
    """An incident a headline tells, the text adding only counts with no trigger of their own
    ("Sept fermiers ont été tués samedi") or counts naming no party and no weapon (`_follow_up`:
    "le bilan de l'attaque sur A s'est alourdi à neuf blessés")."""
    return _headline(members[0]) and all(
        _headline(m) or (_toll_only(m) and _bare(m)) or _follow_up(m) for m in members[1:]
    )


def _follow_up(event: Event) -> bool:
    """A mention that only reports figures of a happening told elsewhere: counts, and no party
    or weapon of its own ("Une femme de 64 ans avait été tuée dans l'incendie de son
    appartement", "le bilan de l'attaque nocturne s'est alourdi à neuf blessés")."""
    return (
        event.actor is None
        and event.target is None
        and not event.weapons
        and any(getattr(event, slot) is not None for slot in quantities_module.SLOTS)
    )


def _restated(headline: Event, members: Sequence[Event], body: Event) -> tuple[bool, bool, int, bool]:
    """How closely a body incident matches the headline that restates it: one of its figures,
    its trigger word ("incursion" again), how many of its places, its event type."""
    return (
        bool(_figures(headline) & _figures(body)),
        any(m.trigger == headline.trigger for m in members),
        len(_place_ids(headline) & _place_ids(body)),
        body.event_type == headline.event_type,
    )


def _fold_headlines(
    clusters: list[list[Event]], representatives: list[Event], kb: KnowledgeBase, lexicon: EventLexicon
) -> None:
    """A headline restating a body incident in other words ("vingt-deux corps retrouvés après
    l'attaque du gang" over a clash, "un village incendié" over the attack on it) is typed
    another violent kind than the incident and stays alone. An incident a headline tells
    (`_headline_told`), of a violent kind that is no kind of its own (`distinct_subtypes`),
    folds into a body incident it can restate (`_summarises`) that gives none of its counts
    another figure only: the one giving one of its figures, else one told with its trigger
    word, else the one sharing most of its places, else one of its event type, else the first
    told. The incident keeps its type and text, unless its kind is remote violence no weapon
    gave ("un raid") and the headline's is not; the headline's mentions stay its evidence."""
    index = 0
    while index < len(representatives):
        incident = representatives[index]
        if not (_vague_kind(incident, lexicon) and _headline_told(clusters[index])):
            index += 1
            continue
        fits = [
            j
            for j, body in enumerate(representatives)
            if j != index
            and not _headline_told(clusters[j])
            and (
                _summarises(incident, body, kb, lexicon)
                or _restates_its_toll(incident, body, clusters[j], kb, lexicon)
            )
            and not _other_figure(incident, clusters[j], clusters[index])
        ]
        if not fits:
            index += 1
            continue
        best = max(fits, key=lambda j: (_restated(incident, clusters[j], representatives[j]), -j))
        owner = representatives[best]
        if (owner.event_type, owner.sub_event_type) == (incident.event_type, incident.sub_event_type):
            # a headline of the incident's own kind kept apart by a party: its parties that are
            # none of the incident's are the headline syntax's misreading (`_restates_its_toll`)
            clusters[index] = [
                m.model_copy(
                    update={
                        slot: None
                        for slot in ("actor", "target")
                        if not _compatible(getattr(m, slot), getattr(owner, slot), kb)
                    }
                )
                for m in clusters[index]
            ]
        if _unarmed_remote(owner) and not _unarmed_remote(incident):
            # the text's kind came from no means ("un raid"), the headline's from its words
            # ("Boko Haram tue cinq civils"): the headline's kind is the better reading
            clusters[best] = clusters[index] + clusters[best]
        else:
            clusters[best] = clusters[best] + clusters[index]
        owner = clusters[best][0]
        published = owner.published.date() if owner.published else None
        representatives[best] = _representative(
            clusters[best], owner.sub_event_type in lexicon.symmetric, published, kb
        )
        del clusters[index], representatives[index]


def merge_sentence(candidates: list[Candidate], lexicon: EventLexicon, kb: KnowledgeBase) -> list[Candidate]:
    """Triggers of one event in a sentence ("a abattu 337 drones ... ciblée par 300 drones")
    become one mention; incompatible parties stay apart."""
    merged: list[Candidate] = []
    for candidate in candidates:
        for kept in merged:
            same_type = (kept.event_type, kept.sub_event_type) == (
                candidate.event_type,
                candidate.sub_event_type,
            )
            symmetric = candidate.sub_event_type in lexicon.symmetric
            if same_type and _parties_compatible(
                (kept.actor, kept.target), (candidate.actor, candidate.target), kb, symmetric
            ):
                kept.actor = kept.actor or candidate.actor
                kept.target = kept.target or candidate.target
                kept.places += [p for p in candidate.places if all(q.id != p.id for q in kept.places)]
                kept.weapons += [w for w in candidate.weapons if w not in kept.weapons]
                for slot, quantity in candidate.slots.items():
                    kept.slots[slot] = quantities_module.larger(kept.slots.get(slot), quantity)  # type: ignore[assignment]
                kept.confidence = max(kept.confidence, candidate.confidence)
                break
        else:
            merged.append(candidate)
    return merged
