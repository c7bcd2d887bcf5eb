"""`vigie alerts test RULES.yaml FILE...`: which rule fires where, without Elasticsearch.

Each file is read as one French article (publication date unknown unless given; title = first non-empty line, text =
the whole file), enriched with the real `enrich.pipeline.Enricher` when the package provides
it (entities and events, so entity and event rules can fire), and checked against every
enabled rule. No alert is written and nothing is sent.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from vigie.alerting.matcher import ArticleView, match
from vigie.alerting.rules import load_rules
from vigie.core.accounting import RunSummary
from vigie.core.cleantext import plain_text, single_line
from vigie.core.models import Article, Event, stable_id
from vigie.core.settings import Settings, get_settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DryRunHit:
    file: str
    rule: str
    severity: str
    passage: str  # matched words in <mark>


@dataclass(frozen=True)
class DryRunResult:
    hits: list[DryRunHit]
    files: list[str]
    enriched: bool  # False when no Enricher was available: entity/event rules cannot fire
    errors: dict[str, str]  # file -> why it could not be read


def article_from_file(path: Path, published: datetime | None) -> Article:
    text = path.read_text(encoding="utf-8")
    title = next((line.strip() for line in text.splitlines() if line.strip()), path.name)
    url = path.resolve().as_uri()
    return Article(
        id=stable_id(url),
        url=url,
        original_url=url,
        feed="dry-run",
        source=path.name,
        sources=[path.name],
        title=title,
        text=text,
        published=published,
        fetched_at=published,
        word_count=len(text.split()),
        language="fr",
        enriched=False,  # set by enrich_articles; the matcher does not need it
    )


def load_enricher(settings: Settings) -> Any | None:
    """The real Enricher (`enrich.pipeline.Enricher(settings)`, as the pipeline builds it), or
    None when the package does not provide it."""
    try:
        from enrich.pipeline import Enricher
    except ImportError as error:
        log.warning("enrich.pipeline.Enricher not available (%s): entity and event rules cannot fire", error)
        return None
    return Enricher(settings)


def enrich_articles(articles: list[Article], settings: Settings) -> tuple[list[Event], bool]:
    """Events of `articles` from the real Enricher (which also fills their entities), and
    whether it ran."""
    enricher = load_enricher(settings)
    if enricher is None:
        return [], False
    # The pipeline passes its RunSummary; accept an Enricher that does not take one too.
    takes_summary = len(inspect.signature(enricher.enrich).parameters) >= 2
    events = enricher.enrich(articles, RunSummary()) if takes_summary else enricher.enrich(articles)
    for article in articles:
        article.enriched = True
    return list(events), True


def dry_run_result(
    rules_path: Path | str,
    files: Sequence[Path | str],
    settings: Settings | None = None,
    published: datetime | None = None,
) -> DryRunResult:
    """`published` is the texts' publication date when known: it anchors relative dates
    ("mardi") and lets the enricher set aside old events as background. Unknown (None), dates
    stated in the text are taken as they are and nothing is treated as background."""
    settings = settings or get_settings()
    rules = load_rules(rules_path)
    articles: list[tuple[str, Article]] = []
    errors: dict[str, str] = {}
    for name in files:
        path = Path(name)
        try:
            articles.append((str(name), article_from_file(path, published)))
        except (OSError, UnicodeDecodeError) as error:
            errors[str(name)] = f"{type(error).__name__}: {error}"
            log.error("dry run: cannot read %s: %s", name, errors[str(name)])
    events, enriched = enrich_articles([a for _, a in articles], settings)
    by_article: dict[str, list[Event]] = {}
    for event in events:
        by_article.setdefault(event.article_id, []).append(event)
    hits: list[DryRunHit] = []
    for name, article in articles:
        view = ArticleView(article, by_article.get(article.id, []))
        for rule in rules.enabled():
            found = match(rule.condition, view)
            if found is not None:
                hits.append(
                    DryRunHit(file=name, rule=rule.name, severity=rule.severity, passage=view.render(found))
                )
    return DryRunResult(hits=hits, files=[str(f) for f in files], enriched=enriched, errors=errors)


def dry_run(
    rules_path: Path | str,
    files: Sequence[Path | str],
    settings: Settings | None = None,
    published: datetime | None = None,
) -> list[DryRunHit]:
    """Which rule fires on which file, with the passage (see module docstring)."""
    return dry_run_result(rules_path, files, settings, published).hits


_SEVERITY_STYLE = {"critical": "bold red", "high": "red", "medium": "yellow", "low": "cyan", "info": "dim"}


def _shown(value: str) -> str:
    """A file name or rule name as literal console text (never Rich markup)."""
    return escape(single_line(value))


def _marked(passage: str) -> Text:
    """<mark>..</mark> as bold reverse video; the rest as plain text (a `Text`: never read as
    markup; control characters removed)."""
    import html
    import re

    text = Text()
    for i, part in enumerate(re.split(r"</?mark>", passage)):
        raw = html.unescape(part)
        cleaned = plain_text(raw)  # trims: the spaces around a mark are put back
        cleaned = (
            (" " if raw[:1].isspace() else "") + cleaned + (" " if raw[-1:].isspace() and cleaned else "")
        )
        text.append(cleaned, style="bold reverse" if i % 2 else "")
    return text


def render(
    hits: Sequence[DryRunHit], console: Console | None = None, files: Sequence[str] | None = None
) -> None:
    """A table of hits (file, rule, severity, passage); files without any hit are listed after."""
    console = console or Console()
    table = Table(title="Alert rules dry run", show_lines=True)
    table.add_column("file", overflow="fold")
    table.add_column("rule", overflow="fold")
    table.add_column("severity")
    table.add_column("passage", overflow="fold")
    for hit in hits:
        table.add_row(
            _shown(hit.file),
            _shown(hit.rule),
            Text(single_line(hit.severity), style=_SEVERITY_STYLE.get(hit.severity, "")),
            _marked(hit.passage),
        )
    console.print(table)
    if not hits:
        console.print("[dim]No rule fired.[/dim]")
    if files:
        quiet = [f for f in files if f not in {h.file for h in hits}]
        if quiet:
            console.print(f"[dim]No rule fired on: {_shown(', '.join(quiet))}[/dim]")
