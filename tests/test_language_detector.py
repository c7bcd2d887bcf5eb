"""`ingest.language_detector.FastDetector`: langdetect's probabilities, to the last bit."""

from __future__ import annotations

import pytest
from langdetect import DetectorFactory, detect_langs
from langdetect import detector_factory as factory_module
from langdetect.lang_detect_exception import LangDetectException

from ingest.language import SAMPLE_CHARS, detect_language
from ingest.language_detector import FastDetector

# Composed for these tests: prose, headlines in capitals, mixed languages, other scripts,
# addresses, digits and punctuation runs, text ending with and without a space.
TEXTS = (
    "Des tirs d'artillerie ont visé mercredi soir les faubourgs de la ville, a indiqué la préfecture, "
    "qui fait état de trois blessés légers et d'importants dégâts matériels. ",
    "FRAPPES SUR LE PORT : LA MARINE ANNONCE UNE ENQUÊTE, l'état-major reste prudent",
    "The ministry said on Tuesday that two convoys had reached the border crossing before dawn.",
    "Le porte-parole a répété que the talks would resume soon, mais aucune date n'est fixée.",
    "Военные сообщили о новых ударах по складам топлива в ночь на четверг.",
    "Quân đội cho biết đã đẩy lùi cuộc tấn công vào sáng thứ Hai",
    "Voir https://exemple.invalid/article?id=12 ou écrire à redaction@exemple.invalid   pour   réagir",
    "12 345 -- 67 !!! ... Kharkiv ; Odessa , Dnipro\n\nZaporijjia\tKherson",
    "L’OTAN et l’UE, réunies à Bruxelles, ont évoqué l’aide ; ÉTATS-UNIS, ROYAUME-UNI et CANADA",
    "a b c d e f g h",
)


def _reference(text: str) -> list[tuple[str, float]] | str:
    try:
        return [(found.lang, found.prob) for found in detect_langs(text)]
    except LangDetectException as error:
        return f"error: {error}"


def _fast(text: str) -> list[tuple[str, float]] | str:
    factory_module.init_factory()
    try:
        detector = FastDetector(factory_module._factory)
        detector.append(text)
        return [(found.lang, found.prob) for found in detector.get_probabilities()]
    except LangDetectException as error:
        return f"error: {error}"


@pytest.mark.parametrize("text", TEXTS)
def test_the_same_probabilities_as_langdetect(text: str) -> None:
    assert DetectorFactory.seed == 0  # set by ingest.language
    for length in (15, 60, 200, SAMPLE_CHARS):
        assert _fast(text[:length]) == _reference(text[:length])
    doubled = (text + " ") * 12
    assert _fast(doubled[:SAMPLE_CHARS]) == _reference(doubled[:SAMPLE_CHARS])


def test_detect_language_answers_what_langdetect_answers() -> None:
    for text in TEXTS[:5]:
        language, probability = detect_language(text * 3)
        reference = detect_langs((text * 3)[:SAMPLE_CHARS])[0]
        assert (language, probability) == (reference.lang.split("-")[0], reference.prob)
