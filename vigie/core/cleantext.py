"""Text from sites Vigie does not control, made safe to store, show and send.

    single_line("Frappe\\r\\nBcc: x@y")      == "Frappe Bcc: x@y"
    single_line("\\u202egnp.exe  titre")     == "gnp.exe titre"
    plain_text("Un.\\n\\n\\n  Deux\\x00 trois") == "Un.\\n\\nDeux trois"

- `single_line`: every run of whitespace (line breaks, tabs, no-break spaces, U+2028/U+2029)
  becomes one space, control characters and the bidirectional embeddings, overrides and
  isolates (U+202A–U+202E, U+2066–U+2069: they reverse what a reader sees) are removed,
  the ends trimmed. For titles, authors, e-mail headers, log lines and table cells.
- `plain_text`: the same, line by line, keeping the line breaks (at most one blank line in a
  row). For summaries and other multi-line text.
"""

from __future__ import annotations

import re

__all__ = ["plain_text", "single_line"]

# Bidi embeddings/overrides (LRE, RLE, PDF, LRO, RLO) and isolates (LRI, RLI, FSI, PDI).
_BIDI = dict.fromkeys([*range(0x202A, 0x202F), *range(0x2066, 0x206A)])
_SPACES = re.compile(r"\s+")
# Control characters (C0, DEL, C1) that are not whitespace (whitespace is collapsed first).
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f]")
_BLANK_LINES = re.compile(r"\n{3,}")


def single_line(text: str) -> str:
    """`text` on one line: whitespace runs one space, no control or bidi override character."""
    cleaned = _CONTROLS.sub("", text.translate(_BIDI))
    return _SPACES.sub(" ", cleaned).strip()


def plain_text(text: str) -> str:
    """`text` with its line breaks kept (blank-line runs at most one), each line cleaned as by
    `single_line`."""
    lines = [single_line(line) for line in text.translate(_BIDI).splitlines()]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
