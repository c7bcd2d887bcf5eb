"""Text normalisation shared by the knowledge base, the filters and the evaluation.

`fold` is the matching key of every alias: accents, case, typographic apostrophes and
hyphens do not distinguish two names ("Kyïv" = "Kyiv", "Etats-Unis" = "États-Unis").
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'", "´": "'"})
_DASHES = re.compile(r"[\-‐‑‒–—]")
_SPACES = re.compile(r"\s+")
# Articles and elided forms that may open a span without being part of the name.
_LEADING_ARTICLE = re.compile(r"^(?:(?:l|d)'\s*|(?:le|la|les|du|des|de la|de l'|de)\s+)", re.IGNORECASE)


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@lru_cache(maxsize=1 << 16)
def fold(text: str) -> str:
    """Accent-, case-, apostrophe- and hyphen-insensitive key: "l’Élysée" -> "l'elysee".
    Cached: the same words come back in every article."""
    folded = strip_accents(text.translate(_APOSTROPHES)).casefold()
    folded = _DASHES.sub(" ", folded)
    folded = folded.replace(".", " ").replace(",", " ")
    return _SPACES.sub(" ", folded).strip()


def strip_article(folded: str) -> str:
    """Drop one leading article or elision from a folded form: "l'otan" -> "otan"."""
    return _LEADING_ARTICLE.sub("", folded, count=1).strip()


def slugify(text: str) -> str:
    """The KB key convention: "Andreï Vorobiov" -> "andrei-vorobiov"."""
    folded = strip_accents(text.translate(_APOSTROPHES)).casefold()
    return re.sub(r"[^a-z0-9]+", "-", folded).strip("-")
