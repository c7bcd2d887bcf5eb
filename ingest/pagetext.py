"""What an article page's text holds besides the article: clutter lines, wire slugs, paywall
markers (patterns as data: `ingest/page_clutter.yaml`, schema `page_clutter.schema.json`), and
the page's own measure of its text (`page_text`), against which an extraction is judged.

    clean_text("Kharkiv (AFP) - Les frappes ont repris.\\nPartager\\n12 commentaires")
        == Cleaned(text="Les frappes ont repris.", paywall=None)

`page_text(tree)` walks the parsed page once: the characters in `<p>` elements outside the
page's furniture (navigation, asides, footers, headers, forms, and blocks whose class or id
names comments, related links, teasers, sidebars, sharing...) — the length a complete
extraction should approach — and the text of its visible blocks outside links and lists,
where a paywall notice is looked for ("Article réservé aux abonnés" beside each link of a
"most read" list is not one).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import jsonschema
import lxml.etree
import yaml
from lxml.html import HtmlElement

from vigie.core.resources import resource_path

__all__ = ["Cleaned", "ClutterRules", "PageText", "clean_text", "find_paywall", "load_rules", "page_text"]

CLUTTER_PATH = resource_path("feeds", "page_clutter.yaml")
SCHEMA_PATH = resource_path("feeds", "page_clutter.schema.json")
_BULLET = re.compile(r"^[-•>»›▶►·*]+\s*")


# Compared and hashed by identity: it keys the per-line LRU caches below, and hashing its
# compiled patterns hashed their whole code at every lookup (5 % of a page's extraction).
@dataclass(frozen=True, eq=False)
class ClutterRules:
    max_line_chars: int
    drop: re.Pattern[str]  # fullmatch: a clutter line
    prefix: re.Pattern[str]  # match: a wire slug opening a line
    paywall: re.Pattern[str]  # search: a paywall notice


def _compile(groups: dict[str, list[str]] | list[str], what: str) -> re.Pattern[str]:
    named = groups.items() if isinstance(groups, dict) else [(what, groups)]
    patterns = []
    for name, entries in named:
        for index, pattern in enumerate(entries):
            try:
                re.compile(pattern, re.IGNORECASE)
            except re.error as error:
                raise ValueError(f"{CLUTTER_PATH.name}: {what}.{name}[{index}]: {error}") from None
            patterns.append(f"(?:{pattern})")
    return re.compile("|".join(patterns), re.IGNORECASE)


def load_rules(path: Path = CLUTTER_PATH) -> ClutterRules:
    """The rules in a clutter file, checked against the schema (ValueError naming the entry)."""
    document: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(document), key=str)
    if errors:
        where = ".".join(str(p) for p in errors[0].absolute_path) or "document"
        raise ValueError(f"{path.name}: {where}: {errors[0].message}")
    return ClutterRules(
        max_line_chars=document["max_line_chars"],
        drop=_compile(document["drop_lines"], "drop_lines"),
        prefix=_compile(document["strip_prefixes"], "strip_prefixes"),
        paywall=_compile(document["paywall"], "paywall"),
    )


@cache
def rules() -> ClutterRules:
    return load_rules()


def _normal(line: str) -> str:
    return _BULLET.sub("", " ".join(line.split()))


@dataclass(frozen=True)
class Cleaned:
    text: str
    paywall: str | None  # the paywall notice found in the text, if any


# The rules' verdicts on a line are pure functions of (rules, line): kept for the lines met
# again (a body paragraph is read as text and again as a page block; sites repeat their
# furniture lines from page to page). Bounded: an LRU of recent lines.
LINE_CACHE = 2_048


@lru_cache(maxsize=LINE_CACHE)
def _paywall_notice(clutter: ClutterRules, line: str) -> str | None:
    """The paywall notice `line` holds (the rules' `paywall` searched in it), None if none."""
    notice = clutter.paywall.search(line)
    return notice.group() if notice is not None else None


@lru_cache(maxsize=LINE_CACHE)
def _line_verdict(clutter: ClutterRules, normal: str) -> tuple[str | None, bool, int]:
    """(paywall notice, dropped, where the line is cut: the end of a wire slug opening it, -1
    when none does) of one normalised line."""
    short = len(normal) <= clutter.max_line_chars
    notice = _paywall_notice(clutter, normal)
    if notice is not None and short:
        return notice, True, -1
    if short and clutter.drop.fullmatch(normal):
        return notice, True, -1
    slug = clutter.prefix.match(normal)
    return notice, False, slug.end() if slug is not None and slug.end() < len(normal) else -1


def clean_text(text: str, clutter: ClutterRules | None = None) -> Cleaned:
    """`text` without its clutter lines and wire slugs; a paywall notice it holds is reported
    (and its line dropped when short)."""
    clutter = clutter or rules()
    kept: list[str] = []
    paywall: str | None = None
    for line in text.split("\n"):
        normal = _normal(line)
        if not normal:
            kept.append("")
            continue
        notice, dropped, slug = _line_verdict(clutter, normal)
        paywall = paywall or notice
        if dropped:
            continue
        kept.append(normal[slug:] if slug >= 0 else line)
    return Cleaned(text=re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip(), paywall=paywall)


def find_paywall(lines: Iterable[str], clutter: ClutterRules | None = None) -> str | None:
    """The first paywall notice in `lines`, None if there is none."""
    clutter = clutter or rules()
    for line in lines:
        notice = _paywall_notice(clutter, " ".join(line.split()))
        if notice is not None:
            return notice
    return None


# -- the page's own measure ---------------------------------------------------------------------

_HIDDEN = frozenset({"script", "style", "noscript", "template", "svg", "math", "iframe", "object", "select"})
_FURNITURE = frozenset({"nav", "aside", "footer", "header", "form", "button", "figcaption", "dialog"})
_LINKS = frozenset({"a", "li", "ul", "ol", "dl", "menu"})
_BLOCKS_TEXT = (
    "address article blockquote br dd details div dl dt figure "
    "h1 h2 h3 h4 h5 h6 hr li main ol p pre section table td th tr ul"
)
_BLOCKS = frozenset(_BLOCKS_TEXT.split())
# A class or id token starting with one of these names page furniture.
_FURNITURE_NAME = re.compile(
    r"(?:^|\s)(?:comment|related|teaser|sidebar|side-bar|most-?read|most-?popular|popular|outbrain|taboola"
    r"|newsletter|share|sharing|social|footer|menu|nav|promo|recommend|cookie|consent|breadcrumb|widget|ad-|ads"
    r"|advert|banner|subscribe|paywall-cta)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class PageText:
    paragraph_chars: int  # characters of <p> text outside the furniture
    blocks: list[str]  # visible block texts outside furniture, links and lists


def _furniture(element: Any) -> bool:
    tag = element.tag
    if not isinstance(tag, str):
        return True  # comments, processing instructions
    tag = tag.lower()
    if tag in _HIDDEN or tag in _FURNITURE:
        return True
    if tag in ("html", "body"):
        return False
    names = f"{element.get('class') or ''} {element.get('id') or ''}"
    return len(names) > 1 and _FURNITURE_NAME.search(names) is not None


def page_text(root: HtmlElement) -> PageText:
    """The page's paragraph length and visible blocks (module doc), in one walk of the tree."""
    skip = links = paragraphs = 0
    paragraph_chars = 0
    blocks: list[str] = []
    buffer: list[str] = []

    def flush() -> None:
        if buffer:
            block = " ".join("".join(buffer).split())
            if block:
                blocks.append(block)
            buffer.clear()

    def add(text: str | None) -> None:
        nonlocal paragraph_chars
        if not text or skip:
            return
        if paragraphs:
            paragraph_chars += len(text.strip())
        if not links:
            buffer.append(text)

    # Which elements were entered as furniture / link / paragraph, to leave them in kind.
    entered: list[tuple[bool, bool, bool]] = []
    for event, element in lxml.etree.iterwalk(root, events=("start", "end")):
        tag = element.tag.lower() if isinstance(element.tag, str) else ""
        if event == "start":
            state = (not skip and _furniture(element), tag in _LINKS, tag == "p")
            entered.append(state)
            skip += state[0]
            links += state[1]
            paragraphs += state[2]
            if tag in _BLOCKS:
                flush()
            if isinstance(element.tag, str):
                add(element.text)
            continue
        was_skip, was_link, was_paragraph = entered.pop()
        skip -= was_skip
        links -= was_link
        paragraphs -= was_paragraph
        if tag in _BLOCKS:
            flush()
        add(element.tail)
    flush()
    return PageText(paragraph_chars=paragraph_chars, blocks=blocks)
