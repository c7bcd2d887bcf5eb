"""Plain text of markup from sites Vigie does not control (feed titles and summaries, page
metadata): one function, `html_to_text`, for every stage.

    html_to_text("Kharkiv&nbsp;: frappe <b>nucl&eacute;aire</b>") == "Kharkiv : frappe nucléaire"
    html_to_text("don&#x2019;t")                                   == "don’t"
    html_to_text("<p>Un.</p><p>Deux.</p>", keep_lines=True)        == "Un.\\n\\nDeux."

- Markup (a `<` that opens a tag, comment or declaration) is parsed as HTML (libxml2: linear,
  the HTML5 entity table): tags dropped, block elements and `<br>` end a line, `<script>`,
  `<style>`, `<template>` and comments dropped with their content.
- Character references without markup (`&#38;`, `&nbsp;`, `&eacute;`: feeds that escape
  twice, titles that are "plain text" holding HTML entities) are decoded once; only
  references closed by `;`, so `R&D` or `?a=1&para=2` stay as they are. With
  `markup=False` (text that is text already) only that is done: a `<b>` stays.
- The result goes through `vigie.core.cleantext`: whitespace collapsed, control characters and
  bidi overrides/isolates removed; `single_line` (titles, authors; the default) or
  `plain_text` (`keep_lines=True`: summaries, bodies).
"""

from __future__ import annotations

import html
import re

import lxml.etree
import lxml.html

from vigie.core.cleantext import plain_text, single_line

__all__ = ["html_to_text"]

_MARKUP = re.compile(r"<[A-Za-z!/?]")
_REFERENCE = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
# What libxml2 refuses in a Python string (C0 controls but tab/newline/return, lone
# surrogates): removed, or a space for those Python counts as whitespace.
_UNPARSEABLE = re.compile(r"[\x00-\x08\x0e-\x1b\ud800-\udfff]")
_ODD_SPACES = re.compile(r"[\x0b\x0c\x1c-\x1f]")
_TAG = re.compile(r"<[^>]*>?")
_OPAQUE = frozenset({"script", "style", "template", "noscript"})
_BLOCK = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "dd",
        "details",
        "div",
        "dl",
        "dt",
        "figcaption",
        "figure",
        "footer",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "title",
        "tr",
        "ul",
    ]
)


def _decode_references(text: str) -> str:
    return _REFERENCE.sub(lambda m: html.unescape(m.group()), text)


def _markup_text(fragment: str) -> str:
    """The text of an HTML fragment, a line break around each block element."""
    try:
        root = lxml.html.document_fromstring(fragment)
    except (lxml.etree.LxmlError, ValueError):  # empty after parsing, or not HTML after all
        return _decode_references(_TAG.sub(" ", fragment))
    out: list[str] = []
    hidden = 0  # inside an element whose content is not text (script, comment, ...)
    for event, element in lxml.etree.iterwalk(root, events=("start", "end")):
        tag = element.tag.lower() if isinstance(element.tag, str) else None
        opaque = tag is None or tag in _OPAQUE
        if event == "start":
            if opaque:
                hidden += 1
            elif not hidden:
                if tag in _BLOCK or tag == "br":
                    out.append("\n")
                out.append(element.text or "")
            continue
        if opaque:
            hidden -= 1
        elif not hidden and tag in _BLOCK:
            out.append("\n")
        if not hidden and element.tail:
            out.append(element.tail)
    return "".join(out)


def html_to_text(fragment: str | None, *, keep_lines: bool = False, markup: bool = True) -> str:
    """Plain text of an HTML fragment or of text holding character references ("" for none).

    `markup=False`: `fragment` is text already (a `text/plain` feed field: `<b>` in it is
    literally what the site wrote); only its character references are decoded."""
    if not fragment:
        return ""
    text = _ODD_SPACES.sub(" ", _UNPARSEABLE.sub("", fragment))
    if markup and _MARKUP.search(text):
        text = _markup_text(text)
    elif "&" in text:
        text = _decode_references(text)
    return plain_text(text) if keep_lines else single_line(text)
