"""Whether a sentence or a trigger reports something that happened.

A trigger is dropped when hypothetical, wished, asked for, threatened, negated, a condition or
a purpose; a sentence when it is a question, a list item without a finite verb, or a teaser of
another article.
"""

from __future__ import annotations

from spacy.tokens import Span, Token

from enrich.dates import strip_entry_header
from enrich.events.lexicon import EventLexicon
from enrich.text import fold
from enrich.tokens import feature_of, is_finite, is_verb, lemma_of

_LIST_MARKS = ("-", "•", "*", "–", "—")
_ADJUNCT_DEPS = frozenset({"obl:mod", "advmod", "advcl", "parataxis", "dep", "discourse", "vocative"})


def irrealis(lexicon: EventLexicon, trigger: Token, sentence: Span, include_self: bool = False) -> bool:
    """True when the trigger is hypothetical, wished, asked for, threatened, negated, a
    condition or a purpose. A finite clause carries its own modality: the climb through
    governing words stops at the first finite verb ("Face à la multiplication des frappes,
    Moscou menace ..." reports the strikes; "menace d'une frappe" does not)."""
    node = trigger
    arrived_by = ""
    for depth in range(12):
        lemma = lemma_of(node)
        # An adjunct ("Face à la multiplication des frappes, Moscou menace") is not in the
        # scope of the verb it modifies.
        governs = (depth > 0 or include_self) and arrived_by not in _ADJUNCT_DEPS
        if governs and lemma in lexicon.irrealis_governors:
            return True
        marks = {fold(c.text) for c in node.children if c.dep_ == "mark"}
        if marks & lexicon.condition_marks:
            return True
        negated = any(fold(c.text) in lexicon.negations for c in node.children if c.dep_ in ("advmod", "det"))
        if negated and (depth == 0 or is_verb(node)):
            return True
        if is_finite(node):
            return False
        if is_verb(node) and "Inf" in feature_of(node, "VerbForm"):
            if marks & lexicon.purpose_marks:
                return True
            if node.head.i == node.i or node.dep_ == "ROOT":
                return True  # an infinitive sentence is an instruction or a scenario
            if lemma_of(node.head) not in lexicon.realis_infinitive_governors:
                return True
        if node.head.i == node.i or node.head.i < sentence.start:
            return False
        arrived_by = node.dep_
        node = node.head
    return False


def is_reportable(lexicon: EventLexicon, sentence: Span, line: str) -> bool:
    """A sentence that may report an event: not in a teaser line, not a question, not a list
    item without a finite verb."""
    if lexicon.skips_line(strip_entry_header(line)):
        return False
    text = sentence.text.strip().rstrip("»\"'” ")
    if text.endswith("?"):
        return False
    stripped = sentence.text.lstrip()
    is_list_item = stripped.startswith(_LIST_MARKS)
    has_finite = any("Fin" in feature_of(t, "VerbForm") for t in sentence)
    return not (is_list_item and not has_finite)
