"""Bylines -> author names: what a page's byline, `<meta name=author>` or trafilatura's author
guess holds besides names is dropped.

    clean_author("Par Julien Marchetti · Publié le 11 mars 2025")  == "Julien Marchetti"
    clean_author("BAMAKO — Par Awa Traoré")                        == "Awa Traoré"
    clean_author("Bamako; Le")                                     is None
    clean_author("Publié le")                                      is None
    clean_author("Ana Lopez; Marc Petit")                          == "Ana Lopez, Marc Petit"

A byline is read as a list (";" separates authors, as trafilatura writes them), each entry
cut at its first separator (· | • — – " - "), date phrase ("publié le", "mis à jour", "le 3
mars", "il y a", "12/03/2025") or role (", envoyé spécial à ..."), "Par"/"By" prefixes
removed. What is left must look like a name: letters, at most `MAX_WORDS` words, at least
one capitalised word that is not a function word ("Le", "Publié"). A single word is a name
only when it is the whole byline ("Rédaction") or a news agency: a single word followed by a
separator is a dateline's place ("Bamako;", "KIEV —").
"""

from __future__ import annotations

import re

__all__ = ["clean_author"]

MAX_CHARS = 500  # of a byline read (hostile pages: a megabyte of <meta name=author>)
MAX_WORDS = 6
AGENCIES = frozenset(
    {"afp", "reuters", "ap", "belga", "ats", "ansa", "dpa", "efe", "xinhua", "tass", "ukrinform", "bloomberg"}
)
_MONTHS = (
    "janvier|février|fevrier|mars|avril|mai|juin|juillet|août|aout|septembre|octobre|novembre|décembre|"
    "decembre|january|february|march|april|may|june|july|august|september|october|november|december|"
    "janv|févr|fevr|avr|juil|sept|oct|nov|déc|dec|jan|feb|mar|apr|jun|jul|aug|sep"
)
_DAYS = "lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|monday|tuesday|wednesday|thursday|friday|saturday|sunday"
_ENTRIES = re.compile(r"\s*;\s*")
_PARTS = re.compile(r"\s*(?:[·|•—–]|\s-\s|\n)\s*")
_PREFIX = re.compile(
    r"^(?:(?:par|by|texte|textes|propos recueillis par|(?:écrit|ecrit|rédigé|redige|signé|signe) par)"
    r"\s*:?\s+)+",
    re.IGNORECASE,
)
_DATE = re.compile(
    r"(?:^|,?\s+)(?:publié|publie|mis à jour|mis a jour|modifié|modifie|actualisé|actualise|updated|published|posted"
    rf"|il y a|le\s+(?:\d|{_DAYS}|1er)|(?:{_DAYS})\b|\d{{1,2}}(?:er)?\s+(?:{_MONTHS})\b|(?:{_MONTHS})\s+\d"
    r"|\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}|à\s+\d{1,2}\s*h|\d{1,2}:\d{2})\b.*$",
    re.IGNORECASE,
)
_ROLE = re.compile(
    r",\s*(?:à|a|au|en|depuis|envoyée?s?\s+spéciale?s?|correspondante?s?|journaliste|rédact|avec|pour|with|in)\b.*$",
    re.IGNORECASE,
)
_WORD = re.compile(r"[^\W\d_][\w'’.-]*")
_FUNCTION_WORDS_TEXT = (
    "le la les l de du des d et à a au aux par pour publié publie mis jour modifié "
    "mise en sur avec the by on at in of and with from updated published posted il y"
)
_FUNCTION_WORDS = frozenset(_FUNCTION_WORDS_TEXT.split())


def _name(part: str) -> str | None:
    """`part` as an author name, None when it does not look like one."""
    part = _PREFIX.sub("", part.strip(" ,;:.-"))
    part = _DATE.sub("", part)
    part = _ROLE.sub("", part).strip(" ,;:-")
    if not part or len(part) > 100 or any(ch.isdigit() for ch in part) or "@" in part:
        return None
    words = _WORD.findall(part)
    if not words or len(words) > MAX_WORDS:
        return None
    if not any(w[0].isupper() and w.lower().strip(".'’") not in _FUNCTION_WORDS for w in words):
        return None
    return part


def clean_author(raw: str | None) -> str | None:
    """Author names in a byline, ", "-joined; None when nothing name-like remains."""
    if not raw:
        return None
    byline = " ".join(raw[:MAX_CHARS].split())
    if byline.lower().startswith(("http://", "https://", "www.")):
        return None
    entries = [e for e in _ENTRIES.split(byline) if e]
    several = len(entries) > 1
    names: list[str] = []
    for entry in entries:
        parts = [p for p in _PARTS.split(entry) if p]
        for index, part in enumerate(parts):
            name = _name(part)
            if name is None:
                continue
            alone = not several and len(parts) == 1
            followed = index < len(parts) - 1 or several
            if " " not in name and not alone and name.lower() not in AGENCIES and followed:
                continue  # a dateline's place ("Bamako;", "KIEV —")
            names.append(name)
            break  # an entry names one author: what follows its separator is not a name
    return ", ".join(dict.fromkeys(names)) or None
