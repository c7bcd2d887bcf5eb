"""Main-process costs per article (issue 17, item 4) that are invisible in the results."""

from __future__ import annotations

from ingest import pagetext


def test_the_clutter_rules_key_the_line_caches_by_identity() -> None:
    """The clutter rules are a key of the per-line LRU caches: hashing them must not hash their
    compiled patterns (the regex code of every clutter and paywall entry) at every line."""
    rules = pagetext.rules()
    assert hash(rules) == object.__hash__(rules)
    other = pagetext.load_rules()
    assert other != rules  # distinct rules objects keep distinct cache entries
    assert pagetext.clean_text("Partager", other).text == pagetext.clean_text("Partager").text == ""
