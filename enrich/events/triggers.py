"""Trigger detection: the words of a sentence that anchor an event mention.

A trigger is a lemma of `enrich/data/triggers.yaml` (its rules check objects, complements and
a plausible attacker), a verb + object compound ("couper l'aide") or a fixed phrase ("cible
légitime", matched with its accented spellings). Slots are read by `SlotFiller`.
"""

from __future__ import annotations

from spacy.matcher import Matcher
from spacy.tokens import Span, Token
from spacy.vocab import Vocab

from enrich.events.lexicon import EventLexicon, TriggerRule
from enrich.events.modality import irrealis
from enrich.events.parties import Parties
from enrich.events.slots import SlotFiller
from enrich.events.state import Candidate, DocState, impact_weapon, objects_of
from enrich.text import fold
from enrich.tokens import children_of, forms_of, is_verb, lemma_of


class TriggerFinder:
    """Finds the triggers of a sentence and has `slots` build their candidates."""

    def __init__(self, vocab: Vocab, lexicon: EventLexicon, parties: Parties, slots: SlotFiller) -> None:
        self.lexicon = lexicon
        self.parties = parties
        self.slots = slots
        self._trigger_words = frozenset(self.lexicon.triggers) | frozenset(
            verb for compound in self.lexicon.compounds for verb in compound.verbs
        )
        self.phrase_matcher = Matcher(vocab)
        for index, (words, _, _, _) in enumerate(self.lexicon.phrases):
            variants = [
                sorted({v.replace("'", q) for v in _accent_variants(w) for q in ("'", "’")}) for w in words
            ]
            pattern = [{"LOWER": {"IN": forms}} for forms in variants]
            lemma_pattern = [{"LEMMA": {"IN": forms}} for forms in variants]
            self.phrase_matcher.add(f"phrase-{index}", [pattern, lemma_pattern])

    def find(self, sentence: Span, state: DocState) -> list[Candidate]:
        """The reported events a sentence's triggers anchor: a lemma's first rule that applies,
        else a verb + object compound, then the fixed phrases; one candidate per token."""
        found: list[Candidate] = []
        seen: set[int] = set()
        for token in sentence:
            if token.i in seen or token.is_punct or token.is_space:
                continue
            if not (set(forms_of(token)) & self._trigger_words):
                continue  # most words trigger nothing: skip the rule checks
            mention = state.mentions_at.get(token.i)
            if mention is not None and mention.type != "WEAPON" and mention.entry is not None:
                continue  # a name is not a trigger ("Spiderweb", "Toile d'araignée")
            for rule in self.rules_for(token):
                if not self.rule_applies(rule, token, state):
                    continue
                candidate = self.slots.candidate(rule, token, sentence, state)
                if candidate is not None:
                    found.append(candidate)
                    seen.add(token.i)
                    break
            if token.i not in seen:
                compound = self.compound(token, state)
                if compound is not None and not irrealis(self.lexicon, token, sentence):
                    candidate = self.slots.candidate(compound, token, sentence, state)
                    if candidate is not None:
                        found.append(candidate)
                        seen.add(token.i)
        for match_id, start, _end in self.phrase_matcher(state.doc[sentence.start : sentence.end]):
            index = int(state.doc.vocab.strings[match_id].split("-")[1])
            _, event_type, sub_event_type, by_context = self.lexicon.phrases[index]
            token = state.doc[sentence.start + start]
            if token.i in seen or irrealis(self.lexicon, token, sentence, include_self=False):
                continue
            rule = TriggerRule(
                name="phrase",
                role="phrase",
                event_type=event_type,
                sub_event_type=sub_event_type,
                by_context=by_context,
            )
            candidate = self.slots.candidate(rule, token, sentence, state)
            if candidate is not None:
                candidate.trigger = token
                found.append(candidate)
                seen.add(token.i)
        return found

    def rules_for(self, token: Token) -> tuple[TriggerRule, ...]:
        lemma, text = forms_of(token)
        return self.lexicon.triggers.get(lemma) or self.lexicon.triggers.get(text) or ()

    def rule_applies(self, rule: TriggerRule, token: Token, state: DocState) -> bool:
        noun = token.pos_ in ("NOUN", "PROPN") and token.dep_ == "nmod" and token.head.i != token.i
        if noun and lemma_of(token.head) in self.lexicon.non_event_heads:
            return False  # "systèmes de frappe" is a capability
        if rule.object_required or rule.object_forbidden or rule.object_lemmas:
            objects = children_of(token, "obj", "nsubj:pass")
            if rule.object_forbidden and objects:
                return False
            if rule.object_required and not objects:
                return False
            if rule.object_lemmas:
                ok = False
                for obj in objects:
                    if lemma_of(obj) in rule.object_lemmas:
                        ok = True
                    mention = state.mentions_at.get(obj.i)
                    if "@entity" in rule.object_lemmas and mention is not None and mention.type != "WEAPON":
                        ok = True
                if not ok:
                    return False
        if rule.complement_cases:
            complements = [
                c
                for c in token.children
                if c.dep_ in ("xcomp", "advcl", "ccomp", "obl", "obl:arg", "obl:mod")
                and ({fold(m.text) for m in c.children if m.dep_ in ("mark", "case")} & rule.complement_cases)
            ]
            if not complements:
                return False
        if rule.role == "attack" and is_verb(token) and not self.plausible_attacker(token, state):
            return False
        if rule.role == "interception":
            # Only projectiles are intercepted; "détruire deux maisons" is damage and "repousser
            # un assaut" is the assault's own event.
            objects = objects_of(token) + children_of(token, "nsubj:pass")
            if not any(state.is_projectile(o) for o in objects):
                return False
        return not (rule.role == "impact" and impact_weapon(token, state) is None)

    def plausible_attacker(self, verb: Token, state: DocState) -> bool:
        """ "La grêle a frappé les vignes", "frappée par la sécheresse": a subject (or agent) that
        is a common noun naming no party, no weapon and no attack is not an attacker."""
        passive = bool(children_of(verb, "aux:pass", "nsubj:pass"))
        agents = children_of(verb, "obl:agent") if passive else children_of(verb, "nsubj")
        for agent in agents:
            if agent.pos_ != "NOUN":
                continue
            if (
                self.parties.participant(agent, state) is not None
                or state.is_weapon(agent)
                or self.is_attack(agent)
            ):
                continue
            if any(state.is_weapon(t) for t in agent.subtree):
                continue
            return False
        return True

    def compound(self, token: Token, state: DocState) -> TriggerRule | None:
        lemma, text = forms_of(token)
        for compound in self.lexicon.compounds:
            if lemma not in compound.verbs and text not in compound.verbs:
                continue
            for obj in objects_of(token):
                is_weapon = any(state.is_weapon(t) for t in obj.subtree)
                if lemma_of(obj) in compound.objects or ("@weapon" in compound.objects and is_weapon):
                    return TriggerRule(
                        name=compound.name,
                        role="compound",
                        event_type=compound.event_type,
                        sub_event_type=compound.sub_event_type,
                    )
        return None

    def is_attack(self, token: Token) -> bool:
        return any(rule.role == "attack" for rule in self.rules_for(token))


def _accent_variants(word: str) -> set[str]:
    """Accented spellings a folded lexicon word may have in text ("legitime" -> "légitime")."""
    variants = {word}
    replacements = {"e": "éèê", "a": "àâ", "i": "îï", "o": "ô", "u": "ûù", "c": "ç"}
    for index, char in enumerate(word):
        for accented in replacements.get(char, ""):
            variants.add(word[:index] + accented + word[index + 1 :])
    return variants
