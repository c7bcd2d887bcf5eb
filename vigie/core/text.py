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

import re
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


def strip_accents(text: str) -> str:
    """NFKD without combining marks: "Kyïv" -> "Kyiv", "ﬁ" -> "fi" (case and œ kept)."""
    if text.isascii():
        return text  # nothing to decompose
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def fold(text: str) -> str:
    """Accent-, case-, ligature-, apostrophe- and hyphen-insensitive key: "l’Œuvre" -> "l'oeuvre"."""
    folded = strip_accents(plain_apostrophes(text)).casefold()
    folded = folded.replace("œ", "oe").replace("æ", "ae")  # after casefold: no capitals left
    folded = _DASHES.sub(" ", folded).replace(".", " ").replace(",", " ")
    return " ".join(folded.split())  # str.split: the whitespace of str.isspace()
