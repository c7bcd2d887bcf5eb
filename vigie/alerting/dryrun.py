"""`vigie alerts test RULES.yaml FILE...`: which rule fires where, without Elasticsearch.

Each file is read as one French article: its first non-empty line is the title, the rest the
text (a file of one line is a headline and its text both), the publication date unknown unless
given. The articles go through exactly what the pipeline runs on an article: the real
`enrich.pipeline.Enricher.enrich` (which reads the title for entities and for events when the
text does not repeat it, and decides the conflict gate), then every enabled rule through
`vigie.alerting.matcher.match` on the same `ArticleView` the alert engine builds. An article the
enricher does not accept (not French, no text) fires nothing, as in the pipeline. Each hit
lists which condition matched which passage. No alert is written and nothing is sent.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from vigie.alerting.matcher import ArticleView, Match, match
from vigie.alerting.rules import Rule, RuleSet, load_rules
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
    # (condition, passage with its matched words in <mark>, or "" when the condition has
    # none: the conflict gate, the article's toll)
    evidence: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class DryRunResult:
    hits: list[DryRunHit]
    files: list[str]
    enriched: bool  # False when no Enricher was available: entity/event rules cannot fire
    errors: dict[str, str]  # file -> why it could not be read
    skipped: dict[str, str] = field(default_factory=dict)  # file -> why the enricher left it out


def article_from_text(
    text: str, name: str, published: datetime | None = None, url: str | None = None
) -> Article:
    """An article as a file gives it: the first non-empty line is the title, the rest the text
    (a one-line file: the headline is its own text, so the enricher has something to read)."""
    lines = text.splitlines()
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        title, body = name, ""
    else:
        title = lines[first].strip()
        body = "\n".join(lines[first + 1 :]).strip("\n")
        if not body.strip():
            body = title
    url = url or f"file:///{stable_id(name, text)}"
    return Article(
        id=stable_id(url),
        url=url,
        original_url=url,
        feed="dry-run",
        source=name,
        sources=[name],
        title=title,
        text=body,
        published=published,
        fetched_at=published,
        word_count=len(body.split()),
        language="fr",
        enriched=False,  # set by the enricher when it accepts the article
    )


def article_from_file(path: Path, published: datetime | None) -> Article:
    return article_from_text(path.read_text(encoding="utf-8"), path.name, published, path.resolve().as_uri())


def load_enricher(settings: Settings) -> Any | None:
    """The real Enricher (`enrich.pipeline.Enricher(settings)`, as the pipeline builds it), or
    None when the package does not provide it."""
    try:
        from enrich.pipeline import Enricher
    except ImportError as error:
        log.warning("enrich.pipeline.Enricher not available (%s): entity and event rules cannot fire", error)
        return None
    return Enricher(settings)


def enrich_articles(
    articles: list[Article], settings: Settings, enricher: Any | None = None
) -> tuple[list[Event], bool]:
    """Events of `articles` from the real Enricher, called as the pipeline calls it (it also
    fills their entities, toll and conflict gate, and marks those it accepts `enriched`), and
    whether it ran. `enricher`: one already loaded (tests load it once)."""
    enricher = enricher or load_enricher(settings)
    if enricher is None:
        for article in articles:
            article.enriched = True  # phrase rules can still be tried
        return [], False
    # The pipeline passes its RunSummary; accept an Enricher that does not take one too.
    takes_summary = len(inspect.signature(enricher.enrich).parameters) >= 2
    events = enricher.enrich(articles, RunSummary()) if takes_summary else enricher.enrich(articles)
    return list(events), True


def matching_rules(
    rules: RuleSet, article: Article, events: Sequence[Event]
) -> list[tuple[Rule, ArticleView, Match]]:
    """The enabled rules that fire on one enriched article, as the alert engine evaluates them
    (`ArticleView` + `match`), with the view to render their passages."""
    view = ArticleView(article, list(events))
    fired: list[tuple[Rule, ArticleView, Match]] = []
    for rule in rules.enabled():
        found = match(rule.condition, view)
        if found is not None:
            fired.append((rule, view, found))
    return fired


def evidence_of(view: ArticleView, found: Match) -> tuple[tuple[str, str], ...]:
    """(condition, rendered passage) for each piece of evidence of a match."""
    shown: list[tuple[str, str]] = []
    for why, passage in found.evidence():
        text = passage.render(view.field_text(passage.field)) if passage is not None else ""
        if passage is not None and passage.field == "title":
            text = "[titre] " + text
        if (why, text) not in shown:
            shown.append((why, text))
    return tuple(shown)


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
    skipped: dict[str, str] = {}
    for name, article in articles:
        if not article.enriched:  # the alert engine skips it too ("not_enriched")
            skipped[name] = "not enriched (language or empty text)"
            continue
        for rule, view, found in matching_rules(rules, article, by_article.get(article.id, [])):
            hits.append(
                DryRunHit(
                    file=name,
                    rule=rule.name,
                    severity=rule.severity,
                    passage=view.render(found),
                    evidence=evidence_of(view, found),
                )
            )
    return DryRunResult(
        hits=hits, files=[str(f) for f in files], enriched=enriched, errors=errors, skipped=skipped
    )


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
    show_why = any(hit.evidence for hit in hits)
    if show_why:
        table.add_column("which condition matched what", overflow="fold")
    for hit in hits:
        row: list[str | Text] = [
            _shown(hit.file),
            _shown(hit.rule),
            Text(single_line(hit.severity), style=_SEVERITY_STYLE.get(hit.severity, "")),
            _marked(hit.passage),
        ]
        if show_why:
            why = Text()
            for i, (condition, passage) in enumerate(hit.evidence):
                if i:
                    why.append("\n")
                why.append(plain_text(condition), style="bold")
                if passage:
                    why.append(" → ")
                    why.append_text(_marked(passage))
            row.append(why)
        table.add_row(*row)
    console.print(table)
    if not hits:
        console.print("[dim]No rule fired.[/dim]")
    if files:
        quiet = [f for f in files if f not in {h.file for h in hits}]
        if quiet:
            console.print(f"[dim]No rule fired on: {_shown(', '.join(quiet))}[/dim]")
