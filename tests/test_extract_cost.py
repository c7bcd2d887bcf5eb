"""Extraction does the same work once: trafilatura's own metadata is read only when the page's
structured data leaves a field empty, and the clutter rules judge a line once (issue 17)."""

from __future__ import annotations

import json
from typing import Any

import pytest
import trafilatura.core

import ingest.extract as extract_module
import ingest.pagetext as pagetext
from ingest.extract import extract_article

BODY = (
    "<p>Les secours ont dégagé toute la nuit les décombres d'un immeuble touché par un missile "
    "dans le centre de la ville, où les sirènes avaient retenti peu avant deux heures.</p>"
    "<p>Selon la mairie, quatre habitants ont été hospitalisés et une vingtaine relogés dans un "
    "gymnase ; les services techniques évaluent encore la solidité des bâtiments voisins.</p>"
    "<p>Le gouverneur a promis une aide d'urgence aux familles et demandé le renforcement de la "
    "défense antiaérienne autour du quartier, visé pour la troisième fois depuis l'été.</p>"
    "<p>Partager</p><p>Lire aussi : la carte des frappes de la semaine</p>"
)
JSONLD: dict[str, Any] = {
    "@context": "https://schema.org",
    "@type": "NewsArticle",
    "headline": "Un immeuble touché par un missile en pleine nuit",
    "datePublished": "2025-05-14T06:30:00+02:00",
    "author": {"@type": "Person", "name": "Claire Dumont"},
    "publisher": {"@type": "Organization", "name": "Le Quotidien de l'Est"},
}


def page(jsonld: dict[str, Any], description: bool = True) -> str:
    meta = (
        '<meta property="og:description" content="Quatre blessés, un immeuble évacué.">'
        if description
        else ""
    )
    return (
        f'<html lang="fr"><head><title>Un immeuble touché</title>{meta}'
        f'<script type="application/ld+json">{json.dumps(jsonld)}</script></head>'
        f"<body><article>{BODY}</article><footer>© 2025</footer></body></html>"
    )


@pytest.fixture
def metadata_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []
    original = trafilatura.core.extract_metadata

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append("extract_metadata")
        return original(*args, **kwargs)

    monkeypatch.setattr(trafilatura.core, "extract_metadata", counted)
    return calls


def test_complete_structured_data_spares_trafilaturas_metadata(
    metadata_calls: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    html = page(JSONLD)
    fast = extract_article(html, "https://quotidien.invalid/2025/05/14/immeuble.html")
    assert metadata_calls == []
    assert fast.text and "Partager" not in fast.text and fast.author == "Claire Dumont"
    # The same answer as when trafilatura's metadata is read.
    monkeypatch.setattr(extract_module, "_metadata_complete", lambda meta: False)
    slow = extract_article(html, "https://quotidien.invalid/2025/05/14/immeuble.html")
    assert metadata_calls == ["extract_metadata"]
    assert slow == fast


@pytest.mark.parametrize("missing", ["author", "publisher", "description"])
def test_a_field_the_page_leaves_empty_is_still_read_from_trafilatura(
    metadata_calls: list[str], missing: str
) -> None:
    jsonld = {k: v for k, v in JSONLD.items() if k != missing}
    extracted = extract_article(
        page(jsonld, description=missing != "description"), "https://quotidien.invalid/a.html"
    )
    assert metadata_calls == ["extract_metadata"]
    assert extracted.text


def test_each_line_is_judged_once() -> None:
    pagetext._line_verdict.cache_clear()
    pagetext._paywall_notice.cache_clear()
    paragraph = (
        "Les négociations reprendront la semaine prochaine à Genève, ont indiqué les deux "
        "délégations dans un communiqué commun publié après six heures de discussions."
    )
    text = "\n".join([paragraph, "Partager", "La suite est réservée aux abonnés.", paragraph])
    cleaned = pagetext.clean_text(text)
    assert cleaned.text == f"{paragraph}\n{paragraph}"
    assert cleaned.paywall == "La suite est réservée aux abonnés"
    assert pagetext._line_verdict.cache_info().hits == 1  # the paragraph, met twice
    # The page's blocks hold the same paragraph: its paywall search is not run again.
    searched = pagetext._paywall_notice.cache_info().misses
    assert (
        pagetext.find_paywall([paragraph, "  Vous  avez lu 40 % de cet article  "])
        == "Vous avez lu 40 % de cet article"
    )
    assert pagetext._paywall_notice.cache_info().misses == searched + 1
    # Custom rules are judged by their own patterns, not by the cached default ones.
    strict = pagetext.load_rules()
    assert pagetext.clean_text("Partager", strict).text == ""
