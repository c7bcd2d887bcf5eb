"""Event dates stated in French text, resolved against a reference date.

"Le 11 mars 2025" -> 2025-03-11; "En juin" -> the 1st of the last June on or before the
reference; "dans la nuit de lundi à mardi" -> the last Tuesday on or before the reference;
"ce mardi" -> the nearest Tuesday; "hier" -> the day before. The reference is the publication
date, or the date heading a live-blog entry ("10/03/25 - 23:43 - ...").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from enrich.kb import DATA_DIR, load_yaml
from enrich.text import fold

DATES_PATH = DATA_DIR / "dates.yaml"
DATES_SCHEMA_PATH = DATA_DIR / "dates.schema.json"
_NUMERIC = r"(\d{1,2})/(\d{1,2})/(\d{2,4})"
_ENTRY_HEADER = re.compile(rf"^\s*{_NUMERIC}\s*(?:[-–]\s*\d{{1,2}}[:h]\d{{2}}\s*)?[-–]?")


@dataclass(frozen=True)
class DateLexicon:
    months: dict[str, int]
    weekdays: dict[str, int]
    relative_days: dict[str, int]
    anchored_days: dict[str, int]
    # "quelques heures plus tard": (amounts, units, directions), the day of the event told before
    same_day_spans: tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]] = ((), (), ())
    # months keys that are also words ("sept"): a month alone only before a period or a year
    month_abbreviations: frozenset[str] = frozenset()
    # "L'annonce intervient au lendemain d'une attaque": (occurrence verbs, {span: days}), the
    # day of the happening the span's complement names, counted from the event told before
    preceded_by: tuple[tuple[str, ...], dict[str, int]] = ((), {})
    # "le bilan a été porté lundi à dix-neuf morts": verbs of a toll's revision, whose day is
    # the report's, not the event's
    revision_verbs: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        month = "|".join(sorted(map(re.escape, self.months), key=len, reverse=True))
        full = [m for m in self.months if m not in self.month_abbreviations]
        abbreviated = [m for m in self.months if m in self.month_abbreviations]
        month_alone = "|".join(sorted(map(re.escape, full), key=len, reverse=True))
        if abbreviated:
            short = "|".join(sorted(map(re.escape, abbreviated), key=len, reverse=True))
            month_alone = rf"{month_alone}|(?:{short})(?=\.|\s+\d{{4}})"
        weekday = "|".join(map(re.escape, self.weekdays))
        relative = "|".join(sorted(map(re.escape, self.relative_days), key=len, reverse=True))
        anchored = "|".join(sorted(map(re.escape, self.anchored_days), key=len, reverse=True)) or "(?!x)x"
        amounts, units, directions = (
            "|".join(sorted(map(re.escape, words), key=len, reverse=True)) or "(?!x)x"
            for words in self.same_day_spans
        )
        verbs, spans = self.preceded_by
        preceding = (
            rf"(?<![\w'])(?:{'|'.join(sorted(map(re.escape, verbs), key=len, reverse=True))})"
            rf"\s+(?:\w+\s+)?({'|'.join(sorted(map(re.escape, spans), key=len, reverse=True))})\b"
            if verbs and spans
            else "(?!x)x"
        )
        # Ordered from the most to the least specific; the first kind found wins.
        patterns = [
            ("numeric", rf"\b{_NUMERIC}\b"),
            ("day_month", rf"\b(?:(?:{weekday})\s+)?(1er|\d{{1,2}})\s+({month})\.?(?:\s+(\d{{4}}))?\b"),
            ("night", rf"\bnuit\s+(?:du|de)\s+(?:{weekday})\s+(?:au|a)\s+({weekday})\b"),
            # "en juin", "fin mars", "l'attaque de mars" (an event named by its month)
            (
                "month",
                rf"\b(?:en|debut|fin|mi|courant|depuis|au mois de|de)[\s-]+({month_alone})\.?(?:\s+(\d{{4}}))?\b",
            ),
            ("this_weekday", rf"\b(?:ce|cette)\s+({weekday})\b"),
            ("anchored", rf"(?<![\w'])({anchored})\b"),
            ("relative", rf"(?<![\w'])({relative})\b"),
            ("weekday", rf"\b({weekday})\b"),
            # "Cette frappe est survenue au lendemain de l'explosion": the explosion, the news
            # of the sentence, came the day before the event told before (unless the sentence
            # states its own day: "au lendemain d'une réunion, lundi à Naqoura")
            ("preceding", preceding),
            # "quelques heures plus tard": the day of the event told before, unless the sentence
            # states its own ("Quelques heures plus tard, mardi à l'aube, ...")
            ("same_day", rf"(?<![\w'])(?:{amounts})\s+(?:{units})\s+(?:{directions})\b"),
        ]
        object.__setattr__(self, "_patterns", [(kind, re.compile(p)) for kind, p in patterns])
        revised = "|".join(sorted(map(re.escape, self.revision_verbs), key=len, reverse=True))
        object.__setattr__(
            self,
            "_revision",
            re.compile(rf"(?<![\w'])((?:{revised})\s+)(?:{weekday}|{relative})\b") if revised else None,
        )
        # cheap substring checks before the two rarer patterns: the last word of their verbs
        # and spans ("porte", "alourdi"; "lendemain", "apres")
        object.__setattr__(self, "_revision_words", tuple({v.split()[-1] for v in self.revision_verbs}))
        object.__setattr__(self, "_preceding_words", tuple({w.split()[-1] for w in spans}))


@lru_cache(maxsize=2)
def default_lexicon() -> DateLexicon:
    data = load_yaml(DATES_PATH, DATES_SCHEMA_PATH)
    return DateLexicon(
        months={fold(k): v for k, v in data["months"].items()},
        weekdays={fold(k): v for k, v in data["weekdays"].items()},
        month_abbreviations=frozenset(fold(k) for k in data.get("month_abbreviations", ())),
        relative_days={fold(k): v for k, v in data["relative_days"].items()},
        anchored_days={fold(k): v for k, v in data.get("anchored_days", {}).items()},
        same_day_spans=tuple(
            tuple(fold(w) for w in data.get("same_day_spans", {}).get(part, ()))
            for part in ("amounts", "units", "directions")
        ),  # type: ignore[arg-type]
        revision_verbs=tuple(fold(w) for w in data.get("revision_verbs", ())),
        preceded_by=(
            tuple(fold(w) for w in data.get("preceded_by", {}).get("verbs", ())),
            {fold(k): int(v) for k, v in data.get("preceded_by", {}).get("spans", {}).items()},
        ),
    )


def names_a_day(word: str, lexicon: DateLexicon | None = None) -> bool:
    """A weekday or a day relative to the reference ("mardi", "hier"): "depuis mardi" says
    when the event began, "depuis octobre" is background."""
    lexicon = lexicon or default_lexicon()
    folded = fold(word)
    return folded in lexicon.weekdays or folded in lexicon.relative_days or folded in lexicon.anchored_days


def _year(two_or_four: str) -> int:
    year = int(two_or_four)
    return year + 2000 if year < 100 else year


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _last_weekday(reference: date, weekday: int) -> date:
    return reference - timedelta(days=(reference.weekday() - weekday) % 7)


def _nearest_weekday(reference: date, weekday: int) -> date:
    back = (reference.weekday() - weekday) % 7
    return reference - timedelta(days=back) if back <= 3 else reference + timedelta(days=7 - back)


def _nearest_year(reference: date, month: int, day: int) -> date | None:
    """A day and month without a year: the occurrence nearest to the reference."""
    candidates = [_safe_date(reference.year + delta, month, day) for delta in (-1, 0, 1)]
    valid = [c for c in candidates if c is not None]
    return min(valid, key=lambda c: abs((c - reference).days)) if valid else None


def entry_reference(line: str) -> date | None:
    """The date heading a live-blog entry ("10/03/25 - 23:43 - ...")."""
    match = _ENTRY_HEADER.match(line)
    if not match:
        return None
    day, month, year = (int(match.group(1)), int(match.group(2)), _year(match.group(3)))
    return _safe_date(year, month, day)


def strip_entry_header(line: str) -> str:
    match = _ENTRY_HEADER.match(line)
    return line[match.end() :] if match else line


def resolve_date(
    text: str, reference: date, lexicon: DateLexicon | None = None, anchor: date | None = None
) -> date | None:
    """The date a sentence states for what it reports, or None when it states none. `anchor`
    is the date of the paragraph's main event, for "la veille" / "le lendemain"."""
    lexicon = lexicon or default_lexicon()
    folded = fold(strip_entry_header(text)).replace("1 er ", "1er ")
    if lexicon._revision is not None and any(w in folded for w in lexicon._revision_words):  # type: ignore[attr-defined]
        folded = lexicon._revision.sub(r"\1", folded)  # type: ignore[attr-defined]
    for kind, pattern in lexicon._patterns:  # type: ignore[attr-defined]
        if kind == "preceding" and (
            anchor in (None, reference) or not any(w in folded for w in lexicon._preceding_words)  # type: ignore[attr-defined]
        ):
            # no day told for the event before (the anchor fell back on the reference): the
            # happening the sentence names came some day before an unknown one
            continue
        match = pattern.search(folded)
        if match is None:
            continue
        anchored = kind in ("anchored", "same_day", "preceding")
        resolved = _resolve(kind, match, anchor or reference if anchored else reference, lexicon)
        if resolved is not None:
            return resolved
    return None


def _resolve(kind: str, match: re.Match[str], reference: date, lexicon: DateLexicon) -> date | None:
    if kind == "numeric":
        return _safe_date(_year(match.group(3)), int(match.group(2)), int(match.group(1)))
    if kind == "day_month":
        day = 1 if match.group(1) == "1er" else int(match.group(1))
        month = lexicon.months[match.group(2)]
        if match.group(3):
            return _safe_date(int(match.group(3)), month, day)
        return _nearest_year(reference, month, day)
    if kind == "night":
        return _last_weekday(reference, lexicon.weekdays[match.group(1)])
    if kind == "month":
        month = lexicon.months[match.group(1)]
        if match.group(2):
            return date(int(match.group(2)), month, 1)
        year = reference.year if month <= reference.month else reference.year - 1
        return date(year, month, 1)
    if kind == "this_weekday":
        return _nearest_weekday(reference, lexicon.weekdays[match.group(1)])
    if kind == "relative":
        return reference + timedelta(days=lexicon.relative_days[match.group(1)])
    if kind == "anchored":
        return reference + timedelta(days=lexicon.anchored_days[match.group(1)])
    if kind == "preceding":
        return reference + timedelta(days=lexicon.preceded_by[1][match.group(1)])
    if kind == "same_day":
        return reference  # the anchor: the day of the event told before
    if kind == "weekday":
        return _last_weekday(reference, lexicon.weekdays[match.group(1)])
    return None
