"""The parties of an event: who a token stands for, read on the dependency parse.

A name or its apposition ("le chancelier allemand, Olaf Scholz"), a demonym ("les Américains",
"frappes russes"), "X de l'Ukraine", a pronoun's antecedent, a party introduced by a
preposition ("contre l'OTAN"), the speaker of a fixed phrase, the parties of a meeting.
"""

from __future__ import annotations

from collections.abc import Sequence

from spacy.tokens import Span, Token

from enrich.datafiles import DATA_DIR, load_yaml
from enrich.entities import Mention
from enrich.events.lexicon import EventLexicon
from enrich.events.state import SUBJECTS, DocState, entry_of, pronominal
from enrich.kb import KBEntry, KnowledgeBase
from enrich.text import fold
from enrich.tokens import (
    ancestors_of,
    case_of,
    children,
    children_of,
    clause_subject_token,
    conjuncts_of,
    feature_of,
    folded_text,
    folded_words,
    is_finite,
    is_verb,
    lemma_of,
    nearest_head,
    span_tokens,
    subject_of,
    subtree_of,
)
from vigie.core.models import EntityRef

PARTIES_PATH = DATA_DIR / "parties.yaml"
PARTIES_SCHEMA_PATH = DATA_DIR / "parties.schema.json"
_PRONOUNS = frozenset({"il", "elle", "ils", "elles", "lequel", "laquelle", "celui-ci", "celle-ci"})
_ACTOR_TYPES = frozenset({"PER", "ORG", "MILITARY", "LOC"})
_HOSTILE_KEY = "vigie.parties.hostile_states"


class Parties:
    """Reads the parties around a token; `state` carries the article's mentions and subjects."""

    def __init__(self, kb: KnowledgeBase, lexicon: EventLexicon) -> None:
        self.kb = kb
        self.lexicon = lexicon
        self._national_forces: dict[str, KBEntry] | None = None
        data = load_yaml(PARTIES_PATH, PARTIES_SCHEMA_PATH)
        self.affiliation_words = folded_words(data["affiliation_words"])
        self.unit_nouns = folded_words(data["unit_nouns"])
        self.voice_nouns = folded_words(data.get("voice_nouns", []))
        self.pair_nouns = folded_words(data.get("pair_nouns", []))
        self.force_victim_words = folded_words(data.get("force_victim_words", []))
        self.hostile_words = self.force_victim_words | folded_words(data.get("hostile_words", []))

    def mention_near(self, token: Token, state: DocState) -> Mention | None:
        """A name on the token or in its appositions ("le chancelier allemand, Olaf Scholz",
        "l'ancien président américain Donald Trump")."""
        mention = state.mentions_at.get(token.i)
        if mention is not None:
            return None if mention.type == "WEAPON" else mention
        for child in children(token):
            appositive = child.dep_ in ("appos", "flat:name", "flat", "nmod", "nsubj", "dep")
            # "le chancelier allemand, Olaf Scholz" is often parsed as a coordination.
            appositive = appositive or (child.dep_ == "conj" and not children_of(child, "cc"))
            # "des combattants shebab", "des miliciens wazalendo": a group's name as an adjective
            named_group = child.dep_ == "amod" and token.pos_ == "NOUN"
            if (appositive or named_group) and case_of(child) is None:
                child_mention = state.mentions_at.get(child.i)
                if named_group and (child_mention is None or child_mention.type not in ("ORG", "MILITARY")):
                    continue
                if child_mention is not None and (
                    child_mention.type in ("PER", "ORG", "MILITARY")
                    # "les médiateurs, l'Egypte, le Qatar et la Turquie"
                    or (
                        child.dep_ == "appos"
                        and child_mention.entry is not None
                        and child_mention.entry.kind == "country"
                    )
                ):
                    return child_mention
        return None

    def demonym(self, token: Token) -> KBEntry | None:
        """The state a demonym names, by its form or its lemma ("haïtiennes" -> "haïtien")."""
        return self.kb.demonym(token.text) or (self.kb.demonym(token.lemma_) if token.lemma_ else None)

    def national_forces(self, ref: EntityRef | None, made: bool = False) -> EntityRef | None:
        """The national armed forces of a state ("mali" -> "forces-armees-maliennes"), or the
        reference itself when it is no state or the knowledge base lists none; with `made`,
        forces made from the template when it lists none ("forces-armees-philippines")."""
        entry = self.kb.get(ref.id) if ref is not None else None
        if ref is None or entry is None or entry.kind != "country":
            return ref
        forces = self._forces().get(entry.country or "") or (self._made_forces(entry) if made else None)
        return forces.ref() if forces is not None else ref

    def _made_forces(self, state: KBEntry) -> KBEntry | None:
        """The forces of a state the knowledge base lists none for, made from its national
        forces template ("Forces armées philippines" for "des soldats philippins")."""
        prefixes = {fold(p) for p in self.lexicon.national_forces_prefixes}
        branch = next(
            (b for b in self.kb.force_branches if prefixes & {fold(h) for h in b.heads}),
            None,
        )
        return self.kb.force_entry(branch, state) if branch is not None else None

    def _forces(self) -> dict[str, KBEntry]:
        if self._national_forces is None:
            prefixes = [fold(p).split() for p in self.lexicon.national_forces_prefixes]
            found: dict[str, KBEntry] = {}
            for entry in self.kb:
                if entry.type != "MILITARY" or not entry.country or entry.country in found:
                    continue
                for name in entry.names:
                    words = fold(name).split()
                    if any(words[: len(p)] == p and len(words) == len(p) + 1 for p in prefixes):
                        found[entry.country] = entry
                        break
            self._national_forces = found
        return self._national_forces

    def state_of(self, ref: EntityRef | None) -> str | None:
        """The id of the state a party belongs to ("forces-armees-soudanaises" -> "soudan")."""
        entry = self.kb.get(ref.id) if ref is not None else None
        state = self.kb.country_of(entry) if entry is not None else None
        return state.id if state is not None else None

    def can_act(self, party: Mention | KBEntry) -> bool:
        """A party a "de" complement may name as an event's author ("l'attaque du Hamas", "les
        frappes de la Russie"): a person, a body, a state or its capital; not another place
        ("l'embuscade près de Banibangou", "le bombardement d'un monastère de la région de
        Sagaing")."""
        entry = entry_of(party)
        if entry is not None:
            return entry.type != "LOC" or entry.kind in ("country", "capital")
        return isinstance(party, Mention) and party.type in ("PER", "ORG", "MILITARY")

    def is_place(self, party: Mention | KBEntry) -> bool:
        """A place that cannot stand for a party ("à Doha" is where an accord is signed); a
        state or a capital acting can ("livrer des missiles à Kiev")."""
        entry = entry_of(party)
        if entry is not None:
            return entry.type == "LOC" and entry.kind not in ("country", "capital")
        return isinstance(party, Mention) and party.type == "LOC"

    def weapon_owner(self, weapon: Token, state: DocState) -> Mention | KBEntry | None:
        """Who a weapon acting belongs to: "l'artillerie russe", "des drones de l'armée
        congolaise", "un missile houthi", "ses drones" (the speaker reporting it)."""
        if not state.is_weapon(weapon):
            return None
        mention = state.mentions_at.get(weapon.i)
        words = [weapon] + ([state.doc[i] for i in range(mention.start, mention.end)] if mention else [])
        for word in words:
            for child in children(word):
                if child.dep_ == "amod" and self.demonym(child) is not None:
                    return self.demonym(child)
                named = state.mentions_at.get(child.i)
                if child.dep_ == "amod" and named is not None and named.type in ("ORG", "MILITARY"):
                    return named
        for word in words:
            for child in children(word):
                if child.dep_ == "nmod" and case_of(child) in ("de", "d'", "du", "des"):
                    party = self.participant(child, state)
                    if party is not None and self.can_act(party):
                        return party
        if any("Yes" in feature_of(d, "Poss") for d in children(weapon) if d.dep_ == "det"):
            # "L'état-major a affirmé que ses drones avaient détruit ..."
            verb = next((a for a in ancestors_of(weapon) if is_verb(a)), None)
            for governor in ancestors_of(verb) if verb is not None else ():
                speaker = subject_of(governor) if is_verb(governor) else None
                if speaker is not None:
                    return self.participant(speaker, state)
        return None

    def participant(self, token: Token, state: DocState) -> Mention | KBEntry | None:
        """The party a token stands for: a name, its apposition, a demonym ("les Américains",
        "les autorités russes"), "X de l'Ukraine", or a pronoun's antecedent."""
        mention = self.mention_near(token, state)
        if mention is not None:
            return mention
        if state.mentions_at.get(token.i) is not None:
            return None  # a weapon
        if token.pos_ in ("NOUN", "ADJ", "PROPN"):
            demonym = self.demonym(token)
            if demonym is not None:
                return demonym
        demonym = self._amod_demonym(token)
        if demonym is not None:
            return demonym
        if lemma_of(token) not in self.lexicon.relational_nouns:
            owner = self._owner(token, state)
            if owner is not None:
                return owner
        if token.pos_ == "NOUN":
            affiliate = self._affiliate(token, state)
            if affiliate is not None:
                return affiliate
            if lemma_of(token) in self.unit_nouns:
                speaker = self._speaker_of_possessive(token, state)
                if speaker is not None:
                    return speaker
            if lemma_of(token) in self.voice_nouns:
                return self._voice_of_possessive(token, state)
        if token.pos_ == "PRON" and "Rel" in feature_of(token, "PronType"):
            clause = token.head
            if clause.dep_ in ("acl:relcl", "acl") and clause.head.i != clause.i and clause.head.i != token.i:
                return self.participant(clause.head, state)  # "les autorités russes qui ..."
            return None
        if token.pos_ == "PRON" and folded_text(token) in _PRONOUNS:
            return self.antecedent(token, state)
        return None

    def _owner(self, token: Token, state: DocState, depth: int = 2) -> Mention | None:
        """The body or state a noun's "de" complement names ("l'armée de l'Ukraine"), also
        through a role's title ("les ministres des Affaires étrangères de l'Union
        européenne"); not "un dépôt près de Kamianka" nor "les alliés de Kiev"."""
        for child in children(token):
            if child.dep_ != "nmod" or case_of(child) not in ("de", "d'", "du", "des"):
                continue
            child_mention = state.mentions_at.get(child.i)
            if child_mention is None:
                if (
                    depth > 1
                    and child.pos_ == "NOUN"
                    and lemma_of(child) not in self.lexicon.relational_nouns
                ):
                    owner = self._owner(child, state, depth - 1)
                    if owner is not None:
                        return owner
                continue
            if child_mention.type in ("ORG", "MILITARY", "LOC") and self.can_act(child_mention):
                return child_mention
        return None

    def _speaker_of_possessive(self, token: Token, state: DocState) -> Mention | KBEntry | None:
        """Whose units a possessive names: the subject of the verb that reports the clause
        ("le Polisario a affirmé que ses unités avaient pilonné", "l'armée indique que ses
        soldats ont repoussé l'assaut")."""
        if not any("Yes" in feature_of(d, "Poss") for d in children_of(token, "det")):
            return None
        verb = next((a for a in ancestors_of(token) if is_verb(a)), None)
        for governor in ancestors_of(verb) if verb is not None else ():
            speaker = subject_of(governor) if is_verb(governor) else None
            if speaker is not None and speaker.i != token.i:
                return self.participant(speaker, state)
        return None

    def _voice_of_possessive(self, token: Token, state: DocState) -> Mention | KBEntry | None:
        """Whose authorities, government or delegation a possessive names (`voice_nouns`): the
        speaker of the clause above, else the party last named as a subject before the sentence
        ("Le Puntland observe la situation. Ses autorités ont appelé ..."), when it can act."""
        if not any("Yes" in feature_of(d, "Poss") for d in children_of(token, "det")):
            return None
        speaker = self._speaker_of_possessive(token, state)
        if speaker is not None:
            return speaker
        if not state.recent_subjects:
            return None
        last = state.recent_subjects[-1]
        return last if self.can_act(last) else None

    def _affiliate(self, token: Token, state: DocState) -> Mention | KBEntry | None:
        """The group people are said to belong to or act for (`affiliation_words`): "des
        hommes armés se réclamant de l'ELN", "des combattants liés au Hezbollah", "les forces
        loyales au TPLF", also on a noun coordinated with them ("des contrebandiers et des hommes
        armés liés au Hezbollah")."""
        nouns = [token, *(c for c in children_of(token, "conj") if c.pos_ == "NOUN")]
        for noun in nouns:
            if any(
                case_of(c) in ("de", "d'", "du", "des") and (c.pos_ == "PROPN" or c.i in state.mentions_at)
                for c in children_of(noun, "nmod")
            ):
                continue  # "une faction des BIFF liée à l'EI": the group named first
            for word in children(noun):
                if (
                    word.dep_ not in ("acl", "amod", "acl:relcl")
                    or lemma_of(word) not in self.affiliation_words
                ):
                    continue
                for complement in children(word):
                    if not complement.dep_.startswith(("obl", "nmod")) or case_of(complement) not in (
                        "de",
                        "d'",
                        "du",
                        "des",
                        "a",
                        "à",
                        "au",
                        "aux",
                    ):
                        continue
                    party = self.mention_near(complement, state) or self._owner(complement, state)
                    if party is not None and party.type in ("ORG", "MILITARY") and self.can_act(party):
                        return party
        return None

    def antecedent(self, pronoun: Token, state: DocState) -> Mention | KBEntry | None:
        """The last subject named before a pronoun, in its sentence or an earlier one."""
        sentence = pronoun.sent
        for token in reversed(list(state.doc[sentence.start : pronoun.i])):
            if token.dep_ in SUBJECTS and token.pos_ != "PRON":
                named = self.mention_near(token, state)
                if named is not None:
                    return named
        return state.recent_subjects[-1] if state.recent_subjects else None

    def participants(self, token: Token, state: DocState) -> list[Mention | KBEntry]:
        """All parties a noun phrase names ("les délégations ukrainienne et américaine")."""
        found: list[Mention | KBEntry] = []
        for node in conjuncts_of(token):
            participant = self.participant(node, state)
            if participant is not None:
                found.append(participant)
                if isinstance(participant, Mention) or node.pos_ != "NOUN":
                    continue
            for child in children(node):
                if child.dep_ == "amod":
                    for adjective in conjuncts_of(child):
                        demonym = self.demonym(adjective)
                        if demonym is not None:
                            found.append(demonym)
        unique: dict[str, Mention | KBEntry] = {}
        for item in found:
            unique.setdefault(item.id, item)
        return list(unique.values())

    def ref(self, participant: Mention | KBEntry | None, as_state: bool = False) -> EntityRef | None:
        """The reference of a party; with `as_state`, a place stands for the state it lies in,
        and a place no state holds (a lake, a sea, a town the knowledge base does not place)
        is no party ("sur une île du lac Tchad", "en mer Rouge")."""
        if participant is None:
            return None
        entry = entry_of(participant)
        if entry is not None:
            entry = self.kb.as_actor(entry)
            if as_state and entry.type == "LOC" and entry.kind != "country":
                state = self.kb.country_of(entry)
                if state is None:
                    return None
                entry = state
            return entry.ref()
        assert isinstance(participant, Mention)
        if participant.type not in _ACTOR_TYPES or (as_state and participant.type == "LOC"):
            return None
        return EntityRef(id=participant.id, name=participant.name, type=participant.type)

    def clause_subject(self, verb: Token | None, state: DocState) -> Mention | KBEntry | None:
        """The subject of a verb, inherited from the governing verb when it has none
        ("En endommageant la capitale, l'Ukraine met ...", "a déclaré avoir neutralisé"); a
        finite clause reported by another verb has its own ("Le ministère a affirmé que 139
        drones avaient été interceptés": not the ministry's drones), as has a passive one."""
        node = verb
        for _ in range(3):
            if node is None or subject_of(node) is not None:
                break
            if (
                node.dep_ in ("xcomp", "acl", "advcl", "ccomp")
                and any(
                    "Inf" in feature_of(w, "VerbForm") for w in (node, *children_of(node, "aux:tense", "aux"))
                )
                and lemma_of(node.head) in self.lexicon.object_control_verbs
            ):
                # "accusent les combattants du groupe d'avoir mené l'attaque": the object acts
                objects = children_of(node.head, "obj")
                return self.participant(objects[0], state) if objects else None
            if (
                node.dep_ == "acl"
                and node.head.dep_ == "obj"
                and lemma_of(node.head.head) in self.lexicon.object_control_verbs
                and any("Inf" in feature_of(a, "VerbForm") for a in children_of(node, "aux:tense", "aux"))
            ):
                # "a accusé l'armée ukrainienne d'avoir bombardé": the infinitive hung on the object
                return self.participant(node.head, state)
            if children_of(node, "nsubj:pass") or (
                node.dep_ in ("ccomp", "advcl", "conj") and is_finite(node)
            ):
                return None
            if node.dep_ not in ("xcomp", "advcl", "ccomp", "conj", "acl") or node.head.i == node.i:
                return None
            perfect = node.dep_ == "acl" and any(
                "Inf" in feature_of(a, "VerbForm") for a in children_of(node, "aux:tense", "aux")
            )
            if node.dep_ == "conj" or perfect:
                # "a dénoncé des agressions et appelé ...", the second verb hung on a noun;
                # "a affirmé mercredi avoir pris", the infinitive hung on "mercredi"
                node = next((a for a in ancestors_of(node) if is_verb(a)), node.head)
            else:
                node = node.head
        subject = subject_of(node) if node is not None else None
        subject = subject or clause_subject_token(node)
        return self.participant(subject, state) if subject is not None else None

    def cased(
        self, token: Token, cases: frozenset[str], state: DocState, depth: int = 2
    ) -> list[Mention | KBEntry]:
        """Parties introduced by one of the prepositions under a token ("contre l'OTAN"),
        looking through nominal complements but not into other clauses."""
        found: list[Mention | KBEntry] = []
        for child in children(token):
            if child.dep_ in ("advcl", "ccomp", "acl", "acl:relcl", "parataxis", "conj", "cc", "punct"):
                continue
            if is_finite(child):
                continue
            case = case_of(child)
            if case is not None and any(part in cases for part in case.split()):
                found.extend(self.participants(child, state))
                if not found:
                    for grandchild in children(child):
                        if grandchild.dep_ == "nmod":
                            found.extend(self.participants(grandchild, state))
            elif depth > 1 and child.pos_ in ("NOUN", "PROPN", "VERB"):
                found.extend(self.cased(child, cases, state, depth - 1))
        return found

    def target_demonym(self, token: Token) -> KBEntry | None:
        """A demonym on a target noun under the trigger ("bombardiers stratégiques russes"), or
        on its complement ("un dépôt de munitions russe")."""
        # "l'armée russe a lancé", "les troupes françaises se sont retirées"
        subjects = children_of(token, "nsubj") + (
            children_of(token, "nsubj:pass") if pronominal(token) else []
        )
        actor_side = {t.i for s in subjects for t in subtree_of(s)}
        # "un échange de tirs avec des soldats indiens": the other side of a fight, not its target
        # (also hung on the trigger's "de" complement)
        actor_side |= {
            t.i
            for node in self._with_de_complements(token)
            for c in children(node)
            if c.dep_ == "nmod" and case_of(c) in self.lexicon.participant_cases
            for t in subtree_of(c)
        }
        for node in subtree_of(token):
            if node.i == token.i or node.i in actor_side or lemma_of(node) not in self.lexicon.target_nouns:
                continue
            for word in (
                node,
                *(c for c in children(node) if c.dep_ == "nmod" and case_of(c) in ("de", "d'")),
            ):
                demonym = self._amod_demonym(word)
                if demonym is not None:
                    return demonym
        return None

    @staticmethod
    def _with_de_complements(token: Token) -> list[Token]:
        """A noun and its "de" complements ("échange" and "tirs" in "un échange de tirs")."""
        return [token, *(c for c in children_of(token, "nmod") if case_of(c) in ("de", "d'", "du", "des"))]

    def _amod_demonym(self, token: Token) -> KBEntry | None:
        """The state of the first demonym adjective on a noun ("les autorités russes")."""
        for child in children(token):
            if child.dep_ == "amod":
                demonym = self.demonym(child)
                if demonym is not None:
                    return demonym
        return None

    def possessor(self, token: Token, state: DocState) -> Mention | KBEntry | None:
        for node in (token, token.head):
            if any("Yes" in feature_of(c, "Poss") for c in children(node) if c.dep_ == "det"):
                return state.recent_subjects[-1] if state.recent_subjects else None
        return None

    def speaker(self, token: Token, state: DocState) -> Mention | KBEntry | None:
        """Who utters a fixed expression: the first named subject up the clauses ("Sergueï
        Lavrov a réagi en affirmant que tout pays ... deviendra une cible légitime")."""
        node = token
        for _ in range(8):
            if is_verb(node):
                subject = subject_of(node)
                if subject is not None:
                    participant = self.participant(subject, state)
                    if participant is not None:
                        return participant
            if node.head.i == node.i:
                return None
            node = node.head
        return None

    def beneficiary(self, token: Token, state: DocState) -> Mention | KBEntry | None:
        """Who receives what a participle describes: "L'Ukraine utilise les missiles Atacms
        fournis par les États-Unis" -> the subject of the verb holding the weapon."""
        if token.dep_ not in ("acl", "amod") or token.head.i == token.i:
            return None
        holder = token.head
        while holder.dep_ == "nmod" and holder.head.i != holder.i and holder.head.pos_ == "NOUN":
            holder = holder.head
        if holder.dep_ in ("obj", "nsubj:pass") and is_verb(holder.head):
            return self.clause_subject(holder.head, state)
        return None

    def attributed_author(self, token: Token, state: DocState) -> Mention | KBEntry | None:
        """ "Le ministère attribue l'ensemble des drones ayant mené l'assaut à l'Ukraine": the
        attack is ascribed to its author."""
        node = token
        for _ in range(5):
            if node.head.i == node.i:
                return None
            node = node.head
            if lemma_of(node) in self.lexicon.attribution_verbs:
                cased = self.cased(node, self.lexicon.recipient_cases, state, depth=3)
                return cased[0] if cased else None
        return None

    def consult_parties(
        self,
        token: Token,
        scope: list[Token],
        actor: Mention | KBEntry | None,
        target: Mention | KBEntry | None,
        state: DocState,
    ) -> tuple[Mention | KBEntry | None, Mention | KBEntry | None, list[Mention | KBEntry]]:
        """The parties of a meeting: subject, "entre X et Y", "avec X", object; when only one
        is named, the subject of the governing verb ("Lors d'un échange avec Zelensky, il ...")."""
        parties: list[Mention | KBEntry] = []
        subject = clause_subject_token(token) if is_verb(token) else None
        if subject is not None:
            parties += self.participants(subject, state)
            # "La Russie et l'Ukraine ont échangé": the parser may give the verb two subjects.
            for other in children_of(token, "nsubj"):
                if other.i != subject.i:
                    parties += self.participants(other, state)
        parties += [p for p in (actor, target) if p is not None]
        if is_verb(token):
            if subject is None:
                # "Il doit rencontrer ...": a pronoun the parser read as an expletive subject,
                # of the verb or of the modal governing it
                pronouns = [
                    p
                    for node in (token, token.head if token.dep_ == "xcomp" else token)
                    for p in children_of(node, "expl:subj", "nsubj")
                    if p.pos_ == "PRON" and fold(p.text) in _PRONOUNS
                ]
                antecedent = self.antecedent(pronouns[0], state) if pronouns else None
                if antecedent is not None:
                    parties.insert(0, antecedent)
            # "rencontrer le 23 décembre à Moscou le patron de X": a day read as the first object
            for obj in children_of(token, "obj")[1:]:
                parties += self.participants(obj, state)
        for head in scope:
            parties += self.cased(head, self.lexicon.participant_cases, state)
        if not is_verb(token):
            # "la rencontre Trump-Poutine": names hung on the noun without a preposition.
            for child in children(token):
                mention = state.mentions_at.get(child.i)
                if (
                    child.dep_ not in ("nmod", "appos", "flat:name")
                    or case_of(child) is not None
                    or mention is None
                ):
                    continue
                if mention.type in ("PER", "ORG", "MILITARY") or (
                    mention.entry and mention.entry.kind == "country"
                ):
                    parties.append(mention)
        if len(self.unique_refs(parties)) == 1 and not is_verb(token):
            governor = nearest_head(token, is_verb, 3)
            extra = self.clause_subject(governor, state) if governor is not None else None
            extra = extra or self.possessor(token, state) or self.sentence_subject(token, parties, state)
            if extra is not None:
                parties.insert(0, extra)
        verb = token if is_verb(token) else None
        if (
            not parties
            and is_verb(token.head)
            and (
                token.dep_ == "obj" or (token.dep_.startswith("obl") and case_of(token) in ("a", "au", "aux"))
            )
        ):
            # "L'Ukraine et la Russie ont procédé à un échange de prisonniers": the parties are
            # the subjects of the verb the noun complements.
            verb = token.head
            subject = clause_subject_token(verb)
            if subject is not None:
                parties += self.participants(subject, state)
        if not parties and verb is None and nearest_head(token, is_verb, 3) is None:
            # "Moscou et Kiev ont par ailleurs procédé à un échange", its participle read as a
            # noun: no verb governs the noun, the names before it are its parties
            verb = token
        if len(self.unique_refs(parties)) < 2 and verb is not None:
            # A subject the parse missed ("Le 5 mars, Israël et le Hamas s'étaient mis
            # d'accord", the names hung on the date): the names before the verb in its
            # sentence, outside prepositional phrases and objects.
            start = token.sent.start
            before = token.doc[start - 1].sent if start > 0 else None
            if (
                before is not None
                and not token.doc[start - 1].is_punct
                and "\n" not in token.doc[start - 1].whitespace_
                and not any(is_verb(w) for w in before)
            ):
                start = before.start  # "Moscou et Kiev | ont procédé": a subject cut off its verb
            for word in token.doc[start : verb.i]:
                mention = state.mentions_at.get(word.i)
                if mention is None or mention.start != word.i or case_of(word) is not None:
                    continue
                if word.dep_ in ("obj", "iobj", "obl", "obl:arg", "obl:mod", "obl:agent"):
                    continue
                if mention.type in ("PER", "ORG", "MILITARY") or (
                    mention.entry and mention.entry.kind in ("country", "capital")
                ):
                    parties.append(mention)
        counted = subject if subject is not None or not is_verb(token) else subject_of(token)
        counted = counted or next(iter(children_of(token, "nsubj:pass")), None)
        if not parties and counted is not None:
            # "des délégations des deux pays se sont réunies": the two states named last
            parties += self._named_pair(counted, state)
        unique = self.unique_refs(parties)
        first = unique[0] if unique else None
        second = unique[1] if len(unique) > 1 else None
        return first, second, unique

    def _named_pair(self, subject: Token, state: DocState) -> list[Mention | KBEntry]:
        """The two states a subject counts without naming them ("les deux pays", "des
        délégations des deux pays", "les dirigeants des deux États": `pair_nouns` with "deux"):
        the last two distinct states the article named before the sentence, by their names or
        their places ("Islamabad", "la province de Kandahar")."""
        nouns = [
            subject,
            *(c for c in children_of(subject, "nmod") if case_of(c) in ("de", "d'", "du", "des")),
        ]
        if not any(
            lemma_of(n) in self.pair_nouns
            and any(fold(c.text) == "deux" for c in children_of(n, "nummod", "det"))
            for n in nouns
        ):
            return []
        found: dict[str, Mention | KBEntry] = {}
        for i in range(subject.sent.start - 1, -1, -1):
            mention = state.mentions_at.get(i)
            entry = mention.entry if mention is not None and mention.start == i else None
            if entry is None or entry.type != "LOC":
                continue
            country = self.kb.country_of(entry)
            if country is not None:
                found.setdefault(country.id, country)
            if len(found) == 2:
                return list(found.values())[::-1]  # in text order
        return []

    def sentence_subject(
        self, token: Token, known: Sequence[Mention | KBEntry], state: DocState
    ) -> Mention | KBEntry | None:
        """The first subject of the sentence naming another party (the parse of a long
        adverbial "Suite à une rencontre avec X, Y a décidé" often misses the link)."""
        known_ids = {ref.id for p in known if (ref := self.ref(p)) is not None}
        for node in token.sent:
            if node.dep_ not in SUBJECTS:
                continue
            party = self.participant(node, state)
            ref = self.ref(party)
            if party is not None and ref is not None and ref.id not in known_ids:
                return party
        return None

    def victim_group(
        self, tokens: Sequence[Token], state: DocState, exclude: set[str]
    ) -> Mention | KBEntry | None:
        """A named group the people or things hit belong to ("deux membres du Hezbollah", "des
        dépôts d'armes du Hezbollah", "des combattants shebab", "des positions présumées du
        TTP"), not one that speaks ("selon le Hezbollah") nor one in `exclude` (the actor and
        its state, whose own forces are not its target)."""
        for token in sorted(tokens, key=lambda t: t.i):
            mention = state.mentions_at.get(token.i)
            if mention is None or mention.start != token.i or mention.type not in ("ORG", "MILITARY"):
                continue
            head = token.head
            owned = token.dep_ in ("nmod", "obl:arg", "obl", "obl:mod", "obl:agent") and case_of(token) in (
                "de",
                "d'",
                "du",
                "des",
            )
            named_group = token.dep_ == "amod"
            # the owner of a noun, or of the participle describing one ("une position présumée du JNIM")
            described = head.pos_ in ("NOUN", "ADJ") or (
                head.dep_ in ("amod", "acl") and head.head.pos_ == "NOUN"
            )
            if not (owned or named_group) or not described:
                continue
            ref = self.ref(mention)
            if ref is None or ref.id in exclude:
                continue
            if ref.type != "ORG" and self.state_of(ref) in exclude:
                continue  # the actor's own forces; an armed group of its country is a target ("le TTP")
            return mention
        return self._victim_forces(tokens, state, exclude)

    def _victim_forces(
        self, tokens: Sequence[Token], state: DocState, exclude: set[str]
    ) -> Mention | KBEntry | None:
        """The national forces of the soldiers, gendarmes or army posts hit, named by no force
        of their own (`force_victim_words`: "deux soldats camerounais tués par un engin
        explosif", "l'attaque d'un poste de l'armée à Garassa", "un convoi militaire"): the
        forces of the state a demonym or a "de" complement names, else of the state of the
        first place the sentence names. Not when the actor is a state or its forces (between
        states the attacked state is the target), nor the actor's own forces."""
        if not self.force_victim_words or not tokens:
            return None
        if any(
            (entry := self.kb.get(i)) is not None and (entry.kind == "country" or entry.type == "MILITARY")
            for i in exclude
        ):
            return None
        for token in sorted(tokens, key=lambda t: t.i):
            if (
                folded_text(token) not in self.force_victim_words
                and lemma_of(token) not in self.force_victim_words
            ):
                continue
            if token.i in state.mentions_at:
                continue  # a named force ("l'Armée d'Arakan"): the named groups are read above
            # "des positions militaires russes": the adjective's noun holds the demonym
            holders = [token, token.head] if token.dep_ == "amod" and token.head.i != token.i else [token]
            country: KBEntry | None = None
            for holder in holders:
                for child in children(holder):
                    if child.dep_ == "amod" and (demonym := self.demonym(child)) is not None:
                        country = demonym
                    elif child.dep_ == "nmod" and case_of(child) in ("de", "d'", "du", "des"):
                        owner = entry_of(self.mention_near(child, state))
                        if owner is not None and owner.kind == "country":
                            country = owner
                    if country is not None:
                        break
                if country is not None:
                    break
            if country is None:
                country = self._sentence_state(token, state)
            if country is None or country.id in exclude or self._hostile_states(state) - {country.id}:
                return None  # another state's forces or attacks in the article: a war between states
            return self._forces().get(country.country or "") or self._made_forces(country)
        return None

    def _hostile_states(self, state: DocState) -> frozenset[str]:
        """The states whose demonym qualifies a force, a weapon or an attack anywhere in the
        article ("l'artillerie russe", "des soldats russes", "un débarquement russe"), read once
        per document (only when a force victim is met)."""
        doc = state.doc
        cached = doc.user_data.get(_HOSTILE_KEY)
        if cached is None:
            found = set()
            for token in doc:
                if token.dep_ != "amod" or token.head.i == token.i:
                    continue
                head = token.head
                if lemma_of(head) not in self.hostile_words and not state.is_weapon(head):
                    continue
                demonym = self.demonym(token)
                if demonym is not None:
                    found.add(demonym.id)
            cached = doc.user_data[_HOSTILE_KEY] = frozenset(found)
        return cached

    def _sentence_state(self, token: Token, state: DocState) -> KBEntry | None:
        """The state of the first place inside a state the sentence of `token` names (a town, a
        region; not a state or a capital, which may stand for a party: "accusé Bangkok")."""
        sentence = token.sent
        for i in range(sentence.start, sentence.end):
            mention = state.mentions_at.get(i)
            entry = mention.entry if mention is not None and mention.start == i else None
            if entry is None or entry.type != "LOC" or entry.kind in ("country", "capital"):
                continue
            country = self.kb.country_of(entry)
            if country is not None:
                return country
        return None

    def quote_speaker(self, verb: Token, state: DocState) -> Mention | KBEntry | None:
        """The speaker of a reporting verb after a quote, its subject inverted and often read as
        its object ("« ... », a averti le Premier ministre israélien")."""
        if verb.dep_ != "parataxis" or children_of(verb, "nsubj"):
            return None
        objects = children_of(verb, "obj")
        return self.participant(objects[0], state) if objects else None

    def subject_before(
        self, token: Token, other: Mention | KBEntry | None, state: DocState
    ) -> Mention | KBEntry | None:
        """The last subject before a token in its sentence that names a person, a body or a
        state (not `other`)."""
        other_ref = self.ref(other)
        for node in reversed(list(token.doc[token.sent.start : token.i])):
            if node.dep_ not in SUBJECTS:
                continue
            party = self.participant(node, state)
            ref = self.ref(party)
            if (
                party is not None
                and ref is not None
                and (other_ref is None or ref.id != other_ref.id)
                and (ref.type != "LOC" or (entry_of(party) is not None and self.can_act(party)))
            ):
                return party
        return None

    def opponents(
        self, token: Token, scope: list[Token], state: DocState
    ) -> tuple[Mention | KBEntry | None, Mention | KBEntry | None]:
        """The two sides of a fight: "entre X et Y" on the trigger, or, for a fight noun that a
        verb of opposition takes as subject ("des combats opposent X à Y"), its object and its
        "à" complement."""
        sides = [
            p for head in scope for p in self.cased(head, self.lexicon.participant_cases, state, depth=1)
        ]
        if not sides:
            # "un échange de tirs avec des gendarmes": the side hung on the trigger's complement
            sides = [
                p
                for node in self._with_de_complements(token)[1:]
                for p in self.cased(node, self.lexicon.participant_cases, state, depth=1)
            ]
        head = token.head
        if token.dep_ == "nsubj" and lemma_of(head) in self.lexicon.opposition_verbs:
            scope.append(head)
            objects = children_of(head, "obj")
            # the "à" complement, also when the parser hangs it on the object
            others = children_of(head, "obl", "obl:arg", "obl:mod", "iobj") + [
                c for o in objects for c in children_of(o, "nmod")
            ]
            sides = [
                *(p for o in objects for p in self.participants(o, state)),
                *(
                    p
                    for c in others
                    if case_of(c) in ("a", "à", "au", "aux")
                    for p in self.participants(c, state)
                ),
            ]
        if len(self.unique_refs(sides)) == 1:
            # "des affrontements entre la police et les hommes du gang": the second side may be
            # hung on the fight noun itself
            sides += [
                p for c in children_of(token, "conj") if not is_verb(c) for p in self.participants(c, state)
            ]
        unique = self.unique_refs(sides)
        return (unique[0] if unique else None), (unique[1] if len(unique) > 1 else None)

    def conditional_subject(self, token: Token, state: DocState) -> Mention | KBEntry | None:
        """A threat's target is the subject of its condition ("si l'Occident permet ...")."""
        for node in token.sent:
            marks = {folded_text(c) for c in children(node) if c.dep_ == "mark"}
            if marks & self.lexicon.condition_marks:
                subject = subject_of(node)
                if subject is not None:
                    participant = self.participant(subject, state)
                    if participant is not None:
                        return participant
        return None

    def remember_subjects(self, sentence: Span, state: DocState) -> None:
        for token in span_tokens(sentence):
            if token.dep_ in SUBJECTS and token.pos_ != "PRON":
                participant = self.participant(token, state)
                if participant is not None:
                    state.recent_subjects.append(participant)

    def unique_refs(self, parties: Sequence[Mention | KBEntry]) -> list[Mention | KBEntry]:
        """The parties naming distinct entities, first mention first."""
        unique: dict[str, Mention | KBEntry] = {}
        for party in parties:
            ref = self.ref(party)
            if ref is not None:
                unique.setdefault(ref.id, party)
        return list(unique.values())
