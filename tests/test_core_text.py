"""The one text fold (`vigie.core.text`) and the callers that must agree with it."""

from __future__ import annotations

import pytest

import enrich.text
from ingest.dedup import content_hash, normalise_text
from vigie.alerting.text import phrase_keys, stem
from vigie.core.text import fold, strip_accents


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("Œuvre", "oeuvre"),
        ("œuvre", "oeuvre"),
        ("oeuvre", "oeuvre"),
        ("ÆTHER", "aether"),
        ("Cæsar", "caesar"),
        ("ﬁn", "fin"),  # U+FB01 ligature: NFKD
        ("ﬂotte", "flotte"),
        ("Straße", "strasse"),  # casefold
        ("STRAẞE", "strasse"),  # capital sharp s
        ("Nucléaire", "nucleaire"),
        ("Kyïv", "kyiv"),
        ("ÉTATS-UNIS", "etats unis"),
        ("Saint‑Pétersbourg", "saint petersbourg"),  # non-breaking hyphen
        ("guerre — paix – trêve", "guerre paix treve"),
        ("U.S.A.", "u s a"),
        ("  Deux   mots\n", "deux mots"),
        ("𝐀𝐁𝐂", "abc"),  # mathematical bold: NFKD before casefold
        ("", ""),
    ],
)
def test_fold(raw: str, folded: str) -> None:
    assert fold(raw) == folded


@pytest.mark.parametrize("apostrophe", ["'", "’", "‘", "ʼ", "`", "´"])
def test_every_apostrophe_folds_to_the_ascii_one(apostrophe: str) -> None:
    assert fold(f"l{apostrophe}Élysée") == "l'elysee"
    assert fold(f"aujourd{apostrophe}hui") == "aujourd'hui"


def test_strip_accents_keeps_case_and_undecomposable_letters() -> None:
    assert strip_accents("Kyïv") == "Kyiv"
    assert strip_accents("ÉTÉ") == "ETE"
    assert strip_accents("Œuvre ﬁn") == "Œuvre fin"
    assert strip_accents("plain ascii") == "plain ascii"


def test_enrich_fold_is_the_shared_fold_cached() -> None:
    for raw in ("Œuvre", "ÆTHER", "ﬁn", "l’Élysée", "Saint-Pétersbourg", "Straße"):
        assert enrich.text.fold(raw) == fold(raw)
    assert enrich.text.strip_accents is strip_accents
    assert enrich.text.fold.cache_info().maxsize == 1 << 16


def test_alert_words_meet_whatever_the_ligature_or_accent() -> None:
    assert stem("Œuvre") == stem("oeuvre") == stem("œuvres")
    assert stem("ÆTHER") == stem("aether")
    assert stem("ﬁnale") == stem("finale")
    assert phrase_keys("l’Œuvre nucléaire") == phrase_keys("l'oeuvre NUCLEAIRE")


def test_dedup_normalisation_builds_on_the_shared_fold() -> None:
    assert normalise_text("L’Œuvre  « ﬁnale » !") == normalise_text("l'oeuvre finale") == "l oeuvre finale"
    assert content_hash("Le cœur ÆTHER.") == content_hash("le coeur aether")
