"""The one text fold of the project: the spellings of a word that must not tell it apart.

Enrichment (knowledge-base aliases, lexicons), alert matching (word stems) and deduplication
(content hash, shingles) all compare folded text, so they fold it the same way:

    fold("Œuvre") == "oeuvre"            fold("ÆTHER") == "aether"
    fold("l’Élysée") == "l'elysee"       fold("ﬁn") == "fin"
    fold("Straße") == "strasse"          fold("Saint-Pétersbourg") == "saint petersbourg"

1. typographic apostrophes (’ ‘ ʼ ` ´) become "'";
2. compatibility decomposition (NFKD: "ﬁ" -> "fi", "é" -> "e" + accent) and the accents
   (combining marks) dropped;
3. full case folding (`str.casefold`: "ß" -> "ss");
4. the ligatures Unicode does not decompose expanded: "œ" -> "oe", "æ" -> "ae";
5. dashes and the separators "." and "," become spaces, whitespace runs one space, trimmed.

`fold` is not cached here (deduplication folds whole articles); callers that fold the same
short strings over and over cache it (`enrich.text.fold`, `vigie.alerting.text.stem`).
"""

from __future__ import annotations

import functools
import re
import sys
import unicodedata

__all__ = ["fold", "plain_apostrophes", "strip_accents"]

_APOSTROPHES = ("’", "‘", "ʼ", "`", "´")
_DASHES = re.compile(r"[\-‐‑‒–—]")
# Characters are replaced with `str.replace`, not `str.translate`: on whole articles (what
# deduplication folds) a few replace passes take ~0.5 ms per MB, one translate ~50 ms.


def plain_apostrophes(text: str) -> str:
    """Typographic apostrophes (’ ‘ ʼ ` ´) as "'"."""
    for apostrophe in _APOSTROPHES:
        text = text.replace(apostrophe, "'")
    return text


@functools.cache
def _combining_marks() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The characters `unicodedata.combining` tells combining marks, as two character classes
    (built once, ~0.1 s): those of the Basic Multilingual Plane, which `re` compiles to a
    bitmap, and the others. One C-level `re.sub` drops them several times faster than a
    Python loop over the characters (enrichment folds every sentence and line it reads)."""
    ranges: tuple[list[str], list[str]] = ([], [])
    start = -1
    for code in range(sys.maxunicode + 2):
        marked = code <= sys.maxunicode and unicodedata.combining(chr(code)) != 0
        if marked and start < 0:
            start = code
        elif not marked and start >= 0:
            for first, last in ((start, min(code - 1, 0xFFFF)), (max(start, 0x10000), code - 1)):
                if first <= last:
                    ranges[first > 0xFFFF].append(f"\\U{first:08x}-\\U{last:08x}")
            start = -1
    basic, other = ("[" + "".join(r) + "]" for r in ranges)
    return re.compile(basic), re.compile(other)


def strip_accents(text: str) -> str:
    """NFKD without combining marks: "Kyïv" -> "Kyiv", "ﬁ" -> "fi" (case and œ kept)."""
    if text.isascii():
        return text  # nothing to decompose
    decomposed = unicodedata.normalize("NFKD", text)
    if decomposed.isascii():
        return decomposed
    basic, other = _combining_marks()
    stripped = basic.sub("", decomposed)
    return other.sub("", stripped) if stripped and max(stripped) > "\uffff" else stripped


def fold(text: str) -> str:
    """Accent-, case-, ligature-, apostrophe- and hyphen-insensitive key: "l’Œuvre" -> "l'oeuvre"."""
    folded = strip_accents(plain_apostrophes(text)).casefold()
    folded = folded.replace("œ", "oe").replace("æ", "ae")  # after casefold: no capitals left
    folded = _DASHES.sub(" ", folded).replace(".", " ").replace(",", " ")
    return " ".join(folded.split())  # str.split: the whitespace of str.isspace()
