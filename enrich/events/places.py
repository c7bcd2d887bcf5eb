"""Where an event happened and with what: the places in the trigger's phrase and the weapons
of its sentence, resolved in the knowledge base."""

from __future__ import annotations

from collections.abc import Sequence

from spacy.tokens import Doc, Span, Token

from enrich.entities import Mention
from enrich.events.lexicon import EventLexicon
from enrich.events.state import SUBJECTS, DocState, entry_of
from enrich.gazetteer import default_config
from enrich.kb import KBEntry, KnowledgeBase
from enrich.text import fold, slugify
from enrich.tokens import (
    ancestors_of,
    case_of,
    children,
    doc_text,
    feature_of,
    folded_text,
    is_finite,
    lemma_of,
)
from vigie.core.models import Place


class Places:
    """Reads places and weapons; `state` carries the article's mentions."""

    def __init__(self, kb: KnowledgeBase, lexicon: EventLexicon) -> None:
        self.kb = kb
        self.lexicon = lexicon

    def clause_tokens(self, head: Token, keep: Token) -> set[int]:
        """The tokens of a head's phrase without its subject and without subordinate clauses at
        any depth (unless they lead to `keep`, the trigger)."""
        path = {keep.i, *(t.i for t in ancestors_of(keep))}
        tokens: set[int] = set()
        stack = [head]
        while stack:
            node = stack.pop()
            tokens.add(node.i)
            for child in children(node):
                if child.i not in path:
                    if node.i == head.i and child.dep_ in SUBJECTS:
                        continue
                    if child.dep_ in ("advcl", "ccomp", "xcomp", "parataxis") or is_finite(child):
                        continue
                    if child.dep_ in ("acl", "acl:relcl") and (
                        lemma_of(child) in self.lexicon.irrealis_governors
                        or "Inf" in feature_of(child, "VerbForm")
                    ):
                        continue
                    if child.pos_ == "NOUN" and lemma_of(child) in self.lexicon.triggers:
                        continue  # "avant des négociations en Arabie saoudite": that event's place
                stack.append(child)
        return tokens

    def find(
        self,
        heads: list[Token],
        trigger: Token,
        state: DocState,
        exclude: set[str],
        participants: Sequence[Mention | KBEntry],
        skip: set[int] | None = None,
    ) -> list[Place]:
        """Places in the trigger's phrase: not in its subject or subordinate clauses, not
        introduced by a party's preposition ("avec la Russie") or a launch site ("depuis la
        Crimée"), not a party itself, not a country or region only named as a direction of it
        ("dans le sud du Liban", "le centre de la bande de Gaza"), nor in the words `skip`."""
        excluded = set(exclude) | {self.kb.as_actor(e).id for p in participants if (e := entry_of(p))}
        excluded |= {p.id for p in participants}
        tokens: set[int] = set()
        for head in heads:
            tokens |= self.clause_tokens(head, trigger)
        tokens -= skip or set()
        places: list[Place] = []
        for i in sorted(tokens):
            mention = state.mentions_at.get(i)
            if mention is None or mention.start != i or mention.entry is None:
                continue
            entry = mention.entry
            if entry.type != "LOC" or entry.location is None or entry.kind in ("continent", "bloc"):
                continue
            if entry.id in excluded or self.kb.as_actor(entry).id in excluded:
                continue
            root = state.doc[i]
            for token in state.doc[mention.start : mention.end]:
                if token.head.i < mention.start or token.head.i >= mention.end:
                    root = token
            if self._non_location(root):
                continue
            if entry.kind in ("country", "region") and self._directional(mention, root, state):
                continue
            if all(p.id != entry.id for p in places):
                places.append(entry.place())
        if places:
            places += self._containers(trigger, state, places, excluded)
        return places

    def _containers(
        self, trigger: Token, state: DocState, places: list[Place], excluded: set[str]
    ) -> list[Place]:
        """The subdivisions the trigger's sentence sets the event's towns in ("à Tessit, dans la
        région de Gao", "la route de Routba, dans la province d'Al-Anbar"): a subdivision of a
        town's country introduced by a container preposition (gazetteer.yaml `container_cases`),
        itself or through its noun ("dans la région de X"), after the towns found."""
        config = default_config()
        entries = [self.kb.get(p.id) for p in places]
        countries = {
            e.country for e in entries if e is not None and e.kind not in ("country", "region") and e.country
        }
        if not countries or not config.container_cases:
            return []
        sentence = trigger.sent
        found: list[Place] = []
        for i in range(sentence.start, sentence.end):
            mention = state.mentions_at.get(i)
            if mention is None or mention.start != i or (entry := mention.entry) is None:
                continue
            if entry.type != "LOC" or entry.kind != "region" or entry.country not in countries:
                continue
            if entry.id in excluded or any(p.id == entry.id for p in places + found):
                continue
            root = state.doc[i]
            for token in state.doc[mention.start : mention.end]:
                if token.head.i < mention.start or token.head.i >= mention.end:
                    root = token
            if self._directional(mention, root, state) or self._non_location(root):
                continue  # "dans le sud du Liban" is no region Liban-Sud
            case = case_of(root)
            if case is None and root.dep_ == "nmod" and root.head.i < root.i:
                noun = root.head  # "dans la région de Gao": the preposition of the region's noun
                if (
                    slugify(noun.text) not in config.subdivision_nouns
                    and lemma_of(noun) not in config.subdivision_nouns
                ):
                    continue
                case = case_of(noun)
            elif case is not None and case.split()[-1] in ("de", "d'", "du", "des") and root.dep_ == "nmod":
                noun = root.head
                if noun.i >= root.i or slugify(lemma_of(noun)) not in config.subdivision_nouns:
                    continue
                case = case_of(noun)
            if case is None or not any(part in config.container_cases for part in case.split()):
                continue
            found.append(entry.place())
        return found

    def _non_location(self, root: Token) -> bool:
        """A place introduced by a party's preposition ("avec la Russie"), or held in a phrase
        naming a launch site ("depuis l'espace aérien de la région de Belgorod")."""
        case = case_of(root)
        if case is not None and any(part in self.lexicon.non_location_cases for part in case.split()):
            return True
        node = root
        for _ in range(3):
            if node.dep_ != "nmod" or node.head.i == node.i or node.head.pos_ not in ("NOUN", "PROPN"):
                return False
            node = node.head
            if any(part in self.lexicon.origin_cases for part in (case_of(node) or "").split()):
                return True
        return False

    def _directional(self, mention: Mention, root: Token, state: DocState) -> bool:
        """A place named as a direction ("dans le sud du Liban", read as the region "sud du
        Liban" or as "sud" + "Liban")."""
        first = fold(state.doc[mention.start].text)
        if first in self.lexicon.direction_words:
            return True
        head = root.head
        return root.dep_ == "nmod" and head.i != root.i and folded_text(head) in self.lexicon.direction_words

    def weapons(self, sentence: Span, state: DocState) -> list[str]:
        weapons: list[str] = []
        for i in range(sentence.start, sentence.end):
            mention = state.mentions_at.get(i)
            if mention is None or mention.type != "WEAPON" or mention.start != i:
                continue
            if mention.id not in weapons:
                weapons.append(mention.id)
        return self.most_specific(weapons)

    def most_specific(self, weapons: list[str]) -> list[str]:
        """A named system makes its class redundant: "drones Shahed" -> drone-shahed only."""
        named_classes = {
            e.weapon_class for w in weapons if (e := self.kb.get(w)) is not None and not e.generic
        }
        return [
            w
            for w in weapons
            if not ((e := self.kb.get(w)) and e.generic and e.weapon_class in named_classes)
        ]

    def doc_weapon_classes(self, doc: Doc, mentions: Sequence[Mention]) -> list[str]:
        """Weapon classes named in the article outside teaser lines, first named first."""
        classes: list[str] = []
        text = doc_text(doc)
        for mention in mentions:
            entry = mention.entry
            if entry is None or entry.weapon_class is None or entry.weapon_class in classes:
                continue
            line_start = text.rfind("\n", 0, mention.start_char) + 1
            if self.lexicon.skips_line(text[line_start : line_start + 40]):
                continue
            classes.append(entry.weapon_class)
        return classes


def specific_places(places: Sequence[Place], kb: KnowledgeBase) -> list[Place]:
    """A country is not listed when a place inside it is ("Kharkiv", not also "Ukraine")."""
    inside = {p.country for p in places if (e := kb.get(p.id)) is not None and e.kind != "country"}
    return [p for p in places if not ((e := kb.get(p.id)) and e.kind == "country" and e.country in inside)]
