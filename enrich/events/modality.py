"""Whether a sentence or a trigger reports something that happened.

A trigger is dropped when hypothetical, wished, asked for, threatened, negated, a condition, a
purpose, in the future or the conditional, in fiction, or a background statement (a cumulative
toll "depuis le début de la guerre", a span "en trois nuits", a total, a habit); a sentence
when it is a question, a list item without a finite verb, a teaser of another article, or when
its main clause is fiction or background. The words are data (`enrich/data/triggers.yaml`).
"""

from __future__ import annotations

from functools import lru_cache

from spacy.tokens import Span, Token

from enrich.datafiles import DATA_DIR, load_yaml
from enrich.dates import strip_entry_header
from enrich.events.lexicon import EventLexicon
from enrich.text import fold
from enrich.tokens import (
    ancestors_of,
    case_of,
    children,
    children_of,
    feature_of,
    folded_text,
    folded_words,
    is_finite,
    is_verb,
    lemma_of,
    span_text,
    span_tokens,
    subtree_of,
    tokens_of,
)

_LIST_MARKS = ("-", "•", "*", "–", "—")
_ADJUNCT_DEPS = frozenset({"obl:mod", "advmod", "advcl", "parataxis", "dep", "discourse", "vocative"})
_SUBJECT_DEPS = frozenset({"nsubj", "nsubj:pass", "csubj"})
_ARGUMENT_DEPS = ("nsubj", "nsubj:pass", "obj")
_FUTURE_ENDINGS = ("ai", "as", "a", "ons", "ez", "ont")
_CONDITIONAL_ENDINGS = ("ait", "aient", "ais", "ions", "iez")
_WORD_NUMBERS = frozenset({"un", "une", "1"})
_MEANS_CASES = frozenset({"par", "avec"})
_THAT_MARKS = frozenset({"que", "qu'", "qu’"})
RECALL_PATH = DATA_DIR / "recall.yaml"
RECALL_SCHEMA_PATH = DATA_DIR / "recall.schema.json"


@lru_cache(maxsize=1)
def _recall() -> tuple[frozenset[str], tuple[str, ...]]:
    """The comparison adjectives and the comparison leads (folded, without spaces) of
    recall.yaml."""
    data = load_yaml(RECALL_PATH, RECALL_SCHEMA_PATH)
    leads = tuple("".join(fold(lead).replace("’", "'").split()) for lead in data["comparison_leads"])
    return folded_words(data["comparison_words"]), leads


def irrealis(
    lexicon: EventLexicon,
    trigger: Token,
    sentence: Span,
    include_self: bool = False,
    scheduled: bool = False,
) -> bool:
    """True when the trigger is hypothetical, wished, asked for, threatened, negated, a
    condition, a purpose, future, fiction or background. A finite clause carries its own
    modality: the climb through governing words stops at the first finite verb ("Face à la
    multiplication des frappes, Moscou menace ..." reports the strikes; "menace d'une frappe"
    does not). `scheduled`: the type's future is news (a meeting with a date)."""
    node = trigger
    previous = trigger
    arrived_by = ""
    path = {trigger.i}
    for depth in range(12):
        lemma = lemma_of(node)
        # An adjunct ("Face à la multiplication des frappes, Moscou menace") is not in the
        # scope of the verb it modifies, nor is a subject in the scope of its verb's negation
        # ("la frappe n'a fait aucune victime" reports the strike).
        adjunct = depth > 0 and arrived_by in _ADJUNCT_DEPS
        # The agent of a governor is no scenario ("la capitale a été visée par une attaque").
        governs = (depth > 0 or include_self) and not adjunct and arrived_by != "obl:agent"
        # Nor is the subject of a verb of aiming or preventing ("une frappe a visé une voiture"),
        # unlike the subject of a modal ("une frappe pourrait viser").
        governs = governs and not (arrived_by in _SUBJECT_DEPS and lemma not in lexicon.modal_verbs)
        # Nor is a verb coordinated with it, sharing its auxiliary ("a appelé les habitants au
        # calme et exigé le désarmement des milices": the demand is made, not asked for).
        governs = governs and not (arrived_by == "conj" and is_verb(previous) and is_verb(node))
        if governs and lemma in lexicon.irrealis_governors:
            return True
        if depth > 0 and lemma in lexicon.reply_verbs and case_of(previous) in ("a", "à", "au", "aux"):
            return True  # "répondre à une attaque": the attack answered, told elsewhere
        marks = {folded_text(c) for c in children(node) if c.dep_ == "mark"}
        if marks & lexicon.condition_marks:
            return True
        if marks & _THAT_MARKS and marks & lexicon.since_cases and is_verb(node):
            return True  # "depuis que le M23 s'est emparé de la ville": the start of a state, background
        if depth == 0 and not is_verb(node) and _predicated_hypothetically(lexicon, node):
            return True
        if depth == 0 and not is_verb(node) and _described_in_a_past_year(lexicon, node):
            return True
        if depth == 0 and not is_verb(node) and _recalled(node):
            return True
        # the means of a negated verb are negated with it ("n'a pas répliqué par des frappes")
        means = depth == 1 and (case_of(previous) or "") in _MEANS_CASES
        in_scope = depth == 0 or (
            is_verb(node) and (not adjunct or means) and arrived_by not in _SUBJECT_DEPS
        )
        if in_scope and negated(lexicon, node, arguments=depth == 0):
            return True
        if (
            scheduled
            and depth == 1
            and (case_of(previous) or "") in lexicon.purpose_marks
            and is_verb(node)
            and negated(lexicon, node, arguments=True)
        ):
            # a meeting is news once it is set: one for which nothing is set is none ("Aucune date
            # n'a été fixée pour un sommet", "rien n'est prévu pour une rencontre")
            return True
        if background(lexicon, node, path) or fiction(lexicon, node, path):
            return True
        copula = next((c for c in children_of(node, "cop") if is_finite(c)), None)
        if is_finite(node) or copula is not None:
            if node.dep_ in ("ccomp", "csubj") and lemma_of(node.head) in lexicon.irrealis_governors:
                return True  # "a exigé que Téhéran libère les détenus"
            if (
                node.dep_ == "acl:relcl"
                and node.head.head.i != node.head.i
                and lemma_of(node.head.head) in lexicon.irrealis_governors
            ):
                return True  # "a démenti des informations selon lesquelles des soldats auraient tiré"
            if node.dep_ == "acl:relcl" and _pluperfect(node) and _compared(node.head):
                return True  # "une attaque similaire contre le camp de X, qui avait fait dix morts"
            if copula is not None:  # "une offensive serait désastreuse"
                return not scheduled and future_form(lexicon, copula)
            return not scheduled and _future_or_conditional(lexicon, node)
        if is_verb(node) and "Inf" in feature_of(node, "VerbForm"):
            if marks & (lexicon.purpose_marks | lexicon.negative_marks):
                return True
            causative = next(
                (
                    c
                    for c in children(node)
                    if c.dep_ in ("dep", "aux", "aux:caus")
                    and lemma_of(c) in lexicon.realis_infinitive_governors
                ),
                None,
            )
            tensed = [
                c for c in children(node) if c.dep_ == "aux:tense" and "Fin" in feature_of(c, "VerbForm")
            ]
            if causative is not None and (is_finite(causative) or tensed):
                # "un kamikaze a fait exploser sa ceinture", parsed with "fait" under "exploser"
                return not scheduled and _future_or_conditional(lexicon, causative)
            if node.head.i == node.i or node.dep_ == "ROOT":
                return True  # an infinitive sentence is an instruction or a scenario
            perfect = any(lemma_of(a) in ("avoir", "etre") for a in children_of(node, "aux:tense", "aux"))
            if perfect and lemma_of(node.head) in lexicon.object_control_verbs:
                pass  # "accusent le groupe d'avoir mené l'attaque": told as done, by the object
            elif lemma_of(node.head) not in lexicon.realis_infinitive_governors:
                return True
        if node.head.i == node.i or node.head.i < sentence.start:
            return False
        arrived_by = node.dep_
        previous = node
        node = node.head
        path.add(node.i)
    return False


def _pluperfect(verb: Token) -> bool:
    """A verb told in the pluperfect ("avait mené", "avaient été tués")."""
    return any(
        lemma_of(a) in ("avoir", "etre") and "Imp" in feature_of(a, "Tense")
        for a in children_of(verb, "aux:tense", "aux", "aux:pass")
    )


def _comparison(noun: Token) -> bool:
    words, _ = _recall()
    return any(c.dep_ == "amod" and lemma_of(c) in words for c in children(noun))


def _compared(noun: Token) -> bool:
    """A noun, or a noun it complements, or an argument of the verb it complements, qualified by
    a comparison adjective ("le camp" of "mené une attaque similaire contre le camp")."""
    node = noun
    for _ in range(3):
        if _comparison(node):
            return True
        if node.head.i == node.i:
            return False
        if is_verb(node.head):
            return any(_comparison(a) for a in children_of(node.head, "obj", "nsubj", "nsubj:pass"))
        node = node.head
    return False


def _recalled(noun: Token) -> bool:
    """An incident recalled by comparison: "comme lors de l'attaque de Djibo", "à l'instar de
    l'embuscade"; or qualified by a comparison adjective and told in the pluperfect ("Le groupe
    avait mené une attaque similaire", "une attaque similaire contre le poste de X, qui avait fait
    sept morts")."""
    words, leads = _recall()
    # the words from just before the noun's phrase up to the noun ("comme lors de l'",
    # "a l' instar de l'"), spaces dropped as the tokenizer splits elisions its own way
    before = "".join(
        folded_text(t).replace("’", "'") for t in tokens_of(noun.doc)[max(0, noun.left_edge.i - 3) : noun.i]
    )
    if any(lead in before for lead in leads):
        return True
    if not _comparison(noun):
        return False
    verb = next((a for a in ancestors_of(noun) if is_verb(a)), None)
    if verb is not None and _pluperfect(verb):
        return True
    return any(w.dep_ == "acl:relcl" and _pluperfect(w) for w in subtree_of(noun))


def _recalled_clause(root: Token) -> bool:
    """A main clause telling a recalled incident: a noun fragment ("une attaque similaire contre
    le poste de X, qui avait fait sept morts"), or a verb in the pluperfect whose subject or
    object is compared ("Le groupe avait mené une attaque similaire ..."): its tolls are
    background too."""
    if not is_verb(root):
        return _recalled(root)
    return _pluperfect(root) and any(_comparison(a) for a in children_of(root, "obj", "nsubj", "nsubj:pass"))


def _predicated_hypothetically(lexicon: EventLexicon, noun: Token) -> bool:
    """A noun whose predicate, read by the parser as its relative clause without a relative
    pronoun, is in the conditional or the future ("une offensive serait désastreuse")."""
    for clause in children_of(noun, "acl", "acl:relcl"):
        if any("Rel" in feature_of(c, "PronType") for c in children(clause)):
            continue
        copula = next((c for c in children_of(clause, "cop") if is_finite(c)), None)
        if copula is not None and future_form(lexicon, copula):
            return True
    return False


def _described_in_a_past_year(lexicon: EventLexicon, noun: Token) -> bool:
    """A noun whose participle clause dates it in a year ("l'attaque menée en septembre 2023 par
    un commando", "les massacres commis par l'organisation en 2014"): the event of another year,
    named as background."""
    for clause in children_of(noun, "acl"):
        if "Part" not in feature_of(clause, "VerbForm"):
            continue
        for word in clause.subtree:
            if not _is_year(word):
                continue
            # "en 2014"; "en septembre 2023", where the year hangs on the month
            case = case_of(word) or (case_of(word.head) if word.dep_ in ("nmod", "nummod") else "") or ""
            if any(part in lexicon.year_cases for part in case.split()):
                return True
    return False


def _verb_lemma(word: Token) -> str:
    """A word's lemma, a first-group participle the tagger read as a noun or an adjective
    ("soupçonnées" -> "soupconnee") given back its verb ("soupconner")."""
    lemma = lemma_of(word)
    if word.pos_ in ("NOUN", "ADJ"):
        for ending in ("ees", "es", "ee", "e"):  # folded: "soupconnees"
            if lemma.endswith(ending):
                return lemma[: -len(ending)] + "er"
    return lemma


def accused(lexicon: EventLexicon, trigger: Token) -> bool:
    """An act a party is accused or suspected of ("neuf personnes soupçonnées d'avoir fourni
    des armes aux assaillants", "Kiev accuse Téhéran d'avoir livré des drones"): the infinitive
    of the trigger's clause is governed by a verb of `object_control_verbs`. Told as done for an
    attack, it is an allegation for an interaction (an accusation is a statement, no event)."""
    node = trigger
    for _ in range(4):
        if is_verb(node) and (
            "Inf" in feature_of(node, "VerbForm")
            # "d'avoir livré": a perfect infinitive
            or any("Inf" in feature_of(a, "VerbForm") for a in children_of(node, "aux:tense", "aux"))
        ):
            marks = [c for c in children(node) if c.dep_ == "mark"]
            # the governor, or the word before the mark when the parser hung the infinitive on
            # the noun ("neuf personnes soupçonnées [d'avoir fourni]", the participle read as a noun)
            governors = [node.head] if node.head.i != node.i else []
            if marks and marks[0].i > 0:
                governors.append(node.doc[marks[0].i - 1])
            return any(_verb_lemma(g) in lexicon.object_control_verbs for g in governors)
        if is_finite(node) or node.head.i == node.i:
            return False
        node = node.head
    return False


def negated(lexicon: EventLexicon, node: Token, arguments: bool = False) -> bool:
    """A negation on a word: "pas", "jamais", "aucun" on it; "ne" with "plus", "personne",
    "rien"; with `arguments`, "aucun" on its subject or object ("aucun drone n'a été abattu"), or
    a negative pronoun as its subject or object beside "ne" ("aucun d'eux n'a été interpellé")."""
    words = {folded_text(c) for c in children(node) if c.dep_ in ("advmod", "det")}
    if words & lexicon.negations:
        return True
    particles = {folded_text(c) for c in children(node) if c.dep_ == "advmod"}
    if particles & lexicon.negation_particles:
        others = {folded_text(c) for c in children(node) if c.dep_ in ("advmod", "nsubj", "obj", "cc")}
        if others & lexicon.particle_negations:
            return True
    if arguments and is_verb(node):
        for argument in children_of(node, *_ARGUMENT_DEPS):
            if any(folded_text(c) in lexicon.negations for c in children(argument) if c.dep_ == "det"):
                return True
            # a negative pronoun as the subject of the trigger itself, passive too: "aucun d'eux
            # n'a été interpellé", "personne n'a été enlevé", "nul n'a été arrêté"
            if (
                particles & lexicon.negation_particles
                and folded_text(argument) in lexicon.negations | lexicon.particle_negations
                and not children_of(argument, "det")
            ):
                return True
    return False


def _future_or_conditional(lexicon: EventLexicon, verb: Token) -> bool:
    """A finite lexical verb in the future or the conditional present ("frappera",
    "frapperait", "prendraient"): its stem is the infinitive (or an irregular future stem).
    Verbs with an auxiliary ("aurait tué": a report) are not read."""
    if verb.pos_ != "VERB" or children_of(verb, "aux:tense", "aux:pass", "aux"):
        return False
    return future_form(lexicon, verb)


def future_form(lexicon: EventLexicon, word: Token) -> bool:
    """A verb form built on the future stem: the future or the conditional present."""
    text = folded_text(word)
    lemma = lemma_of(word)
    for ending in _CONDITIONAL_ENDINGS + _FUTURE_ENDINGS:
        if not text.endswith(ending):
            continue
        stem = text[: -len(ending)]
        if stem == lemma or (lemma.endswith("re") and stem == lemma[:-1]) or stem in lexicon.future_stems:
            return True
    return False


def _intro(token: Token) -> str:
    """The folded words before a nominal in its phrase ("au cours de la", "en trois")."""
    return " ".join(folded_text(t) for t in tokens_of(token.doc)[token.left_edge.i : token.i])


def _several(token: Token) -> bool:
    """A number above one on a noun ("trois nuits", "72 heures") or an indefinite plural
    ("des semaines", "plusieurs mois")."""
    for child in children(token):
        if child.dep_ == "nummod" or child.like_num:
            return folded_text(child) not in _WORD_NUMBERS
        if child.dep_ == "det" and folded_text(child) in ("des", "plusieurs", "quelques", "de"):
            return "Plur" in feature_of(token, "Number")
    return False


def _is_year(token: Token) -> bool:
    return token.text.isdigit() and len(token.text) == 4 and 1900 <= int(token.text) <= 2100


def background(lexicon: EventLexicon, node: Token, path: set[int] | None = None) -> bool:
    """A background adjunct on a word: "depuis" + a starting point in time ("depuis janvier",
    "depuis le début de la guerre", "depuis 2015"), a span of several units ("en trois nuits",
    "au cours de la semaine écoulée"), a total ("au total") or a habit ("quotidiennement",
    "chaque nuit", "bombardements quotidiens")."""
    path = path or set()
    total = since = False
    for child in children(node):
        if child.i in path:
            continue
        lemma = lemma_of(child)
        if child.dep_ in ("advmod", "amod") and lemma in lexicon.habitual_marks:
            return True
        if child.dep_ not in ("obl", "obl:mod", "obl:arg", "nmod", "advmod", "obj"):
            continue
        case = case_of(child) or ""
        # "au total ... depuis lundi": a total since a day is cumulative
        total = total or (lemma in lexicon.total_words and case.split()[-1:] in (["au"], ["a"], ["en"]))
        since = since or any(part in lexicon.since_cases for part in case.split())
        if total and since:
            return True
        if any(part in lexicon.between_cases for part in case.split()) and _between_days(lexicon, child):
            return True  # "entre vendredi et lundi"
        if any(folded_text(d) == "chaque" for d in children(child) if d.dep_ == "det") and (
            lemma in lexicon.span_units or lemma in ("fois", "soir", "matin")
        ):
            return True
        parts = case.split()  # `case` as read above: nothing in between changes the parse
        years = _is_year(child) or any(_is_year(c) for c in children(child) if c.dep_ in ("nmod", "nummod"))
        if any(part in lexicon.year_cases for part in parts) and years:
            return True  # "depuis 2015", "en 2019", "en novembre 2024"
        if any(part in lexicon.since_cases for part in parts):
            heads = {lemma} | {lemma_of(c) for c in children(child)}
            if heads & lexicon.since_heads:
                return True
            if lemma in lexicon.counted_since_heads and _counts(lexicon, node, child):
                return True  # "Depuis lundi, Moscou affirme avoir abattu plus de 300 drones"
        # "en trois nuits"; "au cours de la semaine écoulée", where "semaine" hangs on "cours"
        for unit in (child, *(c for c in children(child) if c.dep_ == "nmod")):
            intro = " ".join(folded_text(t) for t in tokens_of(child.doc)[child.left_edge.i : unit.i])
            spans = lexicon.span_units | lexicon.span_nouns
            if lemma_of(unit) not in spans or not any(
                intro == mark or intro.startswith(mark + " ") for mark in lexicon.span_cases
            ):
                continue
            past = any(lemma_of(c) in lexicon.span_past_words for c in children(unit))
            if past or _several(unit) or lemma_of(unit) in lexicon.span_nouns:
                return True  # "en trois nuits", "la semaine écoulée", "sur la même période"
        if lemma in lexicon.total_marks and case.split() and case.split()[-1] in ("au", "a", "en"):
            return True
    return False


def _counts(lexicon: EventLexicon, node: Token, since: Token) -> bool:
    """A count in the clause of `node` outside its "depuis" phrase ("plus de 300 drones", "une
    centaine de missiles"), not a measure in an adjunct ("à environ 80 kilomètres")."""
    inside = {t.i for t in subtree_of(since)}
    for word in subtree_of(node):
        if word.i in inside:
            continue
        number = (word.pos_ == "NUM" or word.like_num) and folded_text(word) not in _WORD_NUMBERS
        if not (number or lemma_of(word) in lexicon.crowd_nouns):
            continue
        step = word
        while step.i != node.i and step.head.i != step.i:
            case = case_of(step)
            if (
                case is not None
                and step.dep_ != "nummod"
                and case.split()[-1] not in ("de", "d'", "des", "du")
            ):
                break  # a measure or a time in a prepositional phrase
            step = step.head
        else:
            return True
    return False


def _between_days(lexicon: EventLexicon, phrase: Token) -> bool:
    """ "entre vendredi et lundi", "entre janvier et mars": a span between two days or months."""
    days = lexicon.time_nouns | lexicon.since_heads
    return lemma_of(phrase) in days and any(lemma_of(c) in days for c in children(phrase) if c.dep_ == "conj")


def fiction(lexicon: EventLexicon, node: Token, path: set[int] | None = None) -> bool:
    """A word situated in fiction or a drill ("dans le film", "lors d'une simulation")."""
    path = path or set()
    for child in children(node):
        if child.i in path or child.dep_ not in ("obl", "obl:mod", "nmod", "advcl"):
            continue
        case = case_of(child) or ""
        intro = _intro(child)
        if lemma_of(child) in lexicon.fiction_nouns and (
            any(part in lexicon.fiction_cases for part in case.split())
            or any(intro.startswith(mark) for mark in lexicon.fiction_cases)
        ):
            return True
    return False


def is_reportable(lexicon: EventLexicon, sentence: Span, line: str) -> bool:
    """A sentence that may report an event: not in a teaser line, not a question, not a list
    item without a finite verb, not fiction or background in its main clause (then neither
    its triggers nor its tolls are news: "Depuis janvier, 300 civils ont été tués")."""
    if lexicon.skips_line(strip_entry_header(line)):
        return False
    sentence_text = span_text(sentence)
    text = sentence_text.strip().rstrip("»\"'” ")
    if text.endswith("?"):
        return False
    stripped = sentence_text.lstrip()
    is_list_item = stripped.startswith(_LIST_MARKS)
    # the verbs' morphology is read only for a list item (most sentences are none)
    if is_list_item and not any("Fin" in feature_of(t, "VerbForm") for t in span_tokens(sentence)):
        return False
    root = sentence.root
    if background(lexicon, root) or fiction(lexicon, root) or _recalled_clause(root):
        # A second finite clause coordinated with the main one may still report an event.
        return any(is_finite(c) for c in children(root) if c.dep_ in ("conj", "parataxis"))
    return True
