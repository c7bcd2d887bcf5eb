"""Text normalisation of the knowledge base, the filters and the evaluation.

`fold` is the matching key of every alias: accents, case, ligatures, typographic apostrophes
and hyphens do not distinguish two names ("Kyïv" = "Kyiv", "Etats-Unis" = "États-Unis"). It is
the project's one fold, `vigie.core.text.fold` (alert matching and deduplication use it too),
cached here: the same words come back in every article.
"""

from __future__ import annotations

import re
from functools import lru_cache

from vigie.core.text import fold as _shared_fold
from vigie.core.text import plain_apostrophes, strip_accents

__all__ = ["fold", "slugify", "strip_accents", "strip_article"]

# Articles and elided forms that may open a span without being part of the name.
_LEADING_ARTICLE = re.compile(r"^(?:(?:l|d)'\s*|(?:le|la|les|du|des|de la|de l'|de)\s+)", re.IGNORECASE)

fold = lru_cache(maxsize=1 << 16)(_shared_fold)


def strip_article(folded: str) -> str:
    """Drop one leading article or elision from a folded form: "l'otan" -> "otan"."""
    return _LEADING_ARTICLE.sub("", folded, count=1).strip()


def slugify(text: str) -> str:
    """The KB key convention: "Andreï Vorobiov" -> "andrei-vorobiov" (unchanged by the shared
    fold: existing keys stay what they are)."""
    folded = strip_accents(plain_apostrophes(text)).casefold()
    return re.sub(r"[^a-z0-9]+", "-", folded).strip("-")
