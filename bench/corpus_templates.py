"""The text of the benchmark corpus's articles, written from the templates and vocabulary of
`bench/vocab.yaml` (plus sentences of the fixture articles in `sample_corpus/texts`): the facts
of a story, its French body and headline, near copies, English wire copy. Every draw comes from
the `random.Random` it is given (see `bench.corpus`)."""

from __future__ import annotations

import math
import random
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from vigie.core.settings import REPO_ROOT

VOCAB_FILE = Path(__file__).with_name("vocab.yaml")
SEED_TEXTS = REPO_ROOT / "sample_corpus" / "texts"
MIN_WORDS, MAX_WORDS = 400, 700
MIN_PARAGRAPHS, MAX_PARAGRAPHS = 6, 12
MIDDLE_KINDS = (
    "bilan",
    "defense",
    "reaction",
    "international",
    "diplomatie",
    "contexte",
    "analyse",
    "temoignage",
    "humanitaire",
)
MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)
_VOWELS = tuple("AEIOUYÂÀÉÈÊÎÏÔÛÜaeiouyâàéèêîïôûü")
_SLOT = re.compile(r"\{(\w+)\}")
_WORD = re.compile(r"\w+(?:[’'-]\w+)*")


@dataclass
class Story:
    """The facts one article (and its copies) is written about."""

    theatre: str
    slots: dict[str, str]
    section: str


@cache
def load_vocab() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(VOCAB_FILE.read_text(encoding="utf-8"))
    return data


@cache
def _seed_sentences() -> tuple[str, ...]:
    """Sentences of the fixture articles, 12-40 words, used as Ukraine background."""
    sentences: list[str] = []
    for path in sorted(SEED_TEXTS.glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            for sentence in re.split(r"(?<=[.!?])\s+", line.strip()):
                words = count_words(sentence)
                if 12 <= words <= 40 and sentence[:1].isupper() and sentence.endswith("."):
                    sentences.append(sentence)
    return tuple(sentences)


def count_words(text: str) -> int:
    return len(_WORD.findall(text))


def _de(name: str) -> str:
    """French "de" before a name: "de Kiev", "d’Odessa", "des pourparlers"."""
    if name.startswith("des "):
        return name
    if name.startswith("le "):
        return "du " + name[3:]
    if name.startswith("les "):
        return "des " + name[4:]
    return ("d’" if name.startswith(_VOWELS) else "de ") + name


def _a(name: str) -> str:
    if name.startswith("le "):
        return "au " + name[3:]
    if name.startswith("les "):
        return "aux " + name[4:]
    return "à " + name


def _capitalised(slots: dict[str, str]) -> dict[str, str]:
    out = dict(slots)
    for key, value in slots.items():
        out[key[:1].upper() + key[1:]] = value[:1].upper() + value[1:]
    return out


def person(rng: random.Random) -> str:
    vocab = load_vocab()
    return f"{rng.choice(vocab['first_names'])} {rng.choice(vocab['last_names'])}"


def _count_phrase(value: int, one: str, many: str, none: str) -> str:
    if value == 0:
        return none
    return one if value == 1 else f"{value} {many}"


def new_story(rng: random.Random, published: datetime) -> Story:
    vocab = load_vocab()
    theatre_name = rng.choice(sorted(vocab["theatres"]))
    theatre = vocab["theatres"][theatre_name]
    attacker, target = rng.sample(theatre["sides"], 2)
    place, place2 = rng.sample(target["places"], 2)
    weapon, weapon2 = rng.sample(theatre["weapons"], 2)
    mediation = rng.choice(theatre["mediation"])
    launched = int(math.exp(rng.uniform(math.log(4), math.log(600))))
    intercepted = max(1, int(launched * rng.uniform(0.45, 0.95)))
    killed = min(int(rng.expovariate(1 / 6)), 80)
    injured = killed * rng.randint(1, 4) + rng.randint(0, 12)
    earlier = published - timedelta(days=rng.randint(9, 120))
    slots = {
        "lieu": place,
        "a_lieu": _a(place),
        "de_lieu": _de(place),
        "lieu2": place2,
        "de_lieu2": _de(place2),
        "arme": weapon,
        "arme2": weapon2,
        "mediation": mediation,
        "mediation_de": _de(mediation),
        "n": str(launched),
        "m": str(intercepted),
        "k": str(killed),
        "b": str(injured),
        "morts": _count_phrase(killed, "un mort", "morts", "aucun mort"),
        "blesses": _count_phrase(injured, "un blessé", "blessés", "aucun blessé"),
        "jour": rng.choice(vocab["days"]),
        "date": f"{earlier.day} {MONTHS[earlier.month - 1]} {earlier.year}",
        "mois": MONTHS[earlier.month - 1],
        "heures": str(rng.randint(2, 9)),
        "pourcent": str(rng.randint(8, 65)),
        "km": str(rng.randint(15, 900)),
        "etages": str(rng.randint(4, 16)),
        "maisons": str(rng.randint(2, 30)),
        "frequence": str(rng.randint(5, 60)),
        "explosions": str(rng.randint(3, 25)),
        "deplaces": f"{rng.randint(2, 300) * 1000:,}".replace(",", "\u202f"),
        "delai": str(rng.randint(2, 14)),
        "source": rng.choice(vocab["sources"]),
        "orga": rng.choice(vocab["orgas"]),
        "expert": f"{person(rng)}, {rng.choice(vocab['institutes'])}",
        "temoin": f"{person(rng).split()[0]}, {rng.choice(vocab['witness_roles'])}",
    }
    for prefix, side in (("att", attacker), ("cib", target)):
        slots[prefix] = side["name"]
        slots[f"{prefix}_de"] = side["de"]
        for key in ("army", "leader", "leader_title", "spokesman", "defence", "capital"):
            slots[f"{prefix}_{key}"] = side[key]
    return Story(theatre=theatre_name, slots=_capitalised(slots), section=theatre["section"])


@cache
def _synonyms() -> tuple[re.Pattern[str], dict[str, list[str]]]:
    groups: dict[str, list[str]] = {}
    for group in load_vocab()["synonyms"]:
        for form in group:
            groups[form] = group
    forms = sorted(groups, key=len, reverse=True)
    alternation = "|".join(f"[{re.escape(f[0])}{re.escape(f[0].upper())}]{re.escape(f[1:])}" for f in forms)
    return re.compile(rf"(?<!\w)(?:{alternation})(?!\w)"), groups


def _reword(rng: random.Random, text: str) -> str:
    """Each listed form rewritten to a random form of its group (capital kept)."""
    pattern, groups = _synonyms()

    def swap(match: re.Match[str]) -> str:
        found = match.group(0)
        choice = rng.choice(groups[found[:1].lower() + found[1:]])
        return choice[:1].upper() + choice[1:] if found[:1].isupper() else choice

    return pattern.sub(swap, text)


def _fill(template: str, slots: dict[str, str]) -> str:
    text = _SLOT.sub(lambda m: slots[m.group(1)], template)
    return text[:1].upper() + text[1:]


def _pool(kind: str, story: Story) -> list[str]:
    pool = list(load_vocab()["paragraphs"][kind])
    if kind == "contexte" and story.theatre == "ukraine":
        pool.extend(_seed_sentences())
    return pool


def body(rng: random.Random, story: Story) -> tuple[list[str], dict[int, str]]:
    """6-12 paragraphs, 400-700 words; no sentence used twice in one article."""
    vocab = load_vocab()
    count = rng.randint(MIN_PARAGRAPHS, MAX_PARAGRAPHS)
    middle = [rng.choice(MIDDLE_KINDS) for _ in range(count - 2)]
    kinds = ["lede", *middle, "perspective"]
    pools = {kind: rng.sample(_pool(kind, story), len(_pool(kind, story))) for kind in sorted(set(kinds))}
    target = rng.randint(MIN_WORDS + 40, MAX_WORDS - 60)
    per_paragraph = max(1, round(target / 19 / count))
    for kind in MIDDLE_KINDS:
        pools.setdefault(kind, rng.sample(_pool(kind, story), len(_pool(kind, story))))
    paragraphs: list[list[str]] = []
    for kind in kinds:
        if not pools[kind]:  # that kind is used up: another one with sentences left
            kind = max(MIDDLE_KINDS, key=lambda k: len(pools[k]))
        take = max(1, per_paragraph + rng.randint(-1, 1))
        paragraphs.append([_fill(pools[kind].pop(), story.slots) for _ in range(min(take, len(pools[kind])))])
    # Top up or trim to land inside [MIN_WORDS, MAX_WORDS] (template lengths vary).
    words = sum(count_words(" ".join(p)) for p in paragraphs)
    index = 0
    while words < MIN_WORDS + 10:
        kind = MIDDLE_KINDS[rng.randrange(len(MIDDLE_KINDS))]
        if pools[kind]:
            sentence = _fill(pools[kind].pop(), story.slots)
            paragraphs[1 + index % (count - 2)].append(sentence)
            words += count_words(sentence)
            index += 1
    while words > MAX_WORDS - 10:
        longest = max(range(len(paragraphs)), key=lambda i: len(paragraphs[i]))
        words -= count_words(paragraphs[longest].pop())
    texts = [_reword(rng, " ".join(p)) for p in paragraphs]
    intertitles: dict[int, str] = {}
    titles = rng.sample(vocab["intertitles"], len(vocab["intertitles"]))
    for position in range(2, len(texts) - 1, 3):
        intertitles[position] = titles.pop()
    return texts, intertitles


def headline(rng: random.Random, story: Story, avoid: str = "") -> str:
    choices = [h for h in load_vocab()["headlines"] if _fill(h, story.slots) != avoid]
    return _fill(rng.choice(choices), story.slots)


def english(rng: random.Random) -> tuple[str, list[str]]:
    vocab = load_vocab()["english"]
    slots = {
        "lieu_en": rng.choice(vocab["places"]),
        "att_en": rng.choice(vocab["actors"]),
        "arme_en": rng.choice(vocab["weapons"]),
        "n": str(rng.randint(5, 500)),
        "k": str(rng.randint(1, 40)),
    }
    slots["m"] = str(max(1, int(int(slots["n"]) * rng.uniform(0.5, 0.9))))
    sentences = rng.sample(vocab["sentences"], len(vocab["sentences"]))
    count = rng.randint(MIN_PARAGRAPHS, 8)
    paragraphs = [" ".join(_fill(s, slots) for s in sentences[i::count]) for i in range(count)]
    return _fill(rng.choice(vocab["headlines"]), slots), paragraphs


def near_copy(rng: random.Random, paragraphs: list[str]) -> list[str]:
    """The same text with 3-5 words edited, as a re-edited wire copy."""
    vocab = load_vocab()
    edited = list(paragraphs)
    for _ in range(rng.randint(3, 5)):
        index = rng.randrange(len(edited))
        replacements = [(a, b) for a, b in vocab["near_dup_edits"] if a in edited[index]]
        if replacements:
            old, new = rng.choice(replacements)
            edited[index] = edited[index].replace(old, new, 1)
        else:
            words = edited[index].split(" ")
            at = rng.randrange(1, len(words))
            words.insert(at, rng.choice(vocab["near_dup_adverbs"]))
            edited[index] = " ".join(words)
    return edited


def slugify(title: str) -> str:
    import unicodedata

    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii").lower()
    words = re.findall(r"[a-z0-9]+", ascii_title)
    return "-".join(words[:9]) or "article"
