"""The packaged gazetteer behind the knowledge base: places the KB does not list, resolved with
coordinates, one id whatever the spelling, homonyms decided by the article's countries."""

from __future__ import annotations

import pytest

from enrich.evaluate import canonical_id
from enrich.gazetteer import default_config, default_gazetteer
from enrich.kb import canonical_place_id, default_kb, load_kb


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Zaporijia", "Zaporizhzhia"),
        ("Loutsk", "Lutsk"),
        ("Tchernihiv", "Chernihiv"),
        ("Riazan", "Ryazan"),
        ("Deir el-Balah", "Deir al-Balah"),
        ("Erevan", "Yerevan"),
        ("Tavouch", "Tavuš"),
        ("Khmelnytskyï", "Khmelnytskyi"),
    ],
)
def test_transliterations_share_one_key(one: str, other: str) -> None:
    config = default_config()
    assert config.translit_key(one) == config.translit_key(other)


def test_a_place_the_kb_lacks_resolves_with_coordinates() -> None:
    kb = default_kb()
    assert kb.get("lutsk") is None or "lutsk" not in kb.entries  # not curated
    entry = kb.place("Loutsk", {"UA"})
    assert entry is not None and entry.type == "LOC" and entry.country == "UA"
    assert entry.location is not None and 50 < entry.location.lat < 51.5 and 25 < entry.location.lon < 26
    # the id is deterministic and answers get(), country_of() like a KB entry
    assert kb.get(entry.id) == entry
    assert kb.country_of(entry).id == "ukraine"


def test_spellings_and_case_give_one_id() -> None:
    kb = default_kb()
    ids = {kb.place(name, {"UA"}).id for name in ("Loutsk", "Lutsk", "LOUTSK", "Luts'k")}
    assert len(ids) == 1
    ids = {kb.place(name, {"UA"}).id for name in ("Khmelnytskyï", "Khmelnytskyi", "KHMELNYTSKYI")}
    assert len(ids) == 1


def test_a_kb_place_spelled_another_way_is_the_kb_entry() -> None:
    kb = default_kb()
    assert kb.place("Zaporizhia", {"UA"}).id == "zaporijjia"  # transliteration of a KB alias
    assert kb.place("Kiew", {"UA"}).id == "kiev"  # a GeoNames name of a KB city


def test_homonyms_are_decided_by_the_articles_countries() -> None:
    kb = default_kb()
    haiti, south_africa = kb.place("Delmas", {"HT"}), kb.place("Delmas", {"ZA"})
    assert haiti.country == "HT" and south_africa.country == "ZA" and haiti.id != south_africa.id
    # without countries: the most populous, but a small town abroad is not taken on its name
    assert kb.place("Lens").country == "FR"
    assert kb.place("Lens", {"BE"}).country == "BE"
    assert kb.place("Tchervonohryhorivka") is None  # a town of 6,000 people
    assert kb.place("Tchervonohryhorivka", {"UA"}) is not None


def test_countries_beyond_the_kb_have_french_names_ids_and_coordinates() -> None:
    kb = default_kb()
    mongolia = kb.place("Mongolie")
    assert mongolia is not None and mongolia.id == "mongolie" and mongolia.kind == "country"
    assert mongolia.location is not None
    capital = kb.place("Oulan-Bator", {"MN"})
    assert kb.as_actor(capital).id == "mongolie"  # a capital acting stands for its state
    assert kb.country_entry("MN").id == "mongolie"


def test_subdivisions_are_regions_located_by_their_town() -> None:
    kb = default_kb()
    region = kb.place("Ségou", {"ML"}, prefer="region", kinds=("region",))
    assert region is not None and region.kind == "region" and region.id == "region-de-segou"
    assert region.location is not None  # from the town of Ségou
    assert kb.place("Ségou", {"ML"}).kind == "city"  # the bare name is the town


def test_the_gazetteer_can_be_turned_off() -> None:
    kb = load_kb(gazetteer=False)
    assert kb.place("Loutsk", {"UA"}) is None
    assert kb.place("Zaporizhia", {"UA"}).id == "zaporijjia"  # the KB's own transliterations


def test_gold_slugs_compare_through_the_gazetteer() -> None:
    assert canonical_id("loutsk") == canonical_id("surface:Lutsk") == canonical_id("lutsk")
    assert canonical_id("kyiv") == "kiev"
    assert canonical_id("etat-de-rakhine") == canonical_id("rakhine")
    assert canonical_id("surface:Petites Sœurs de Saint-Joseph") == "petites-soeurs-de-saint-joseph"
    # a KB alias slugged by an annotator is the KB's id
    assert canonical_place_id("benyamin-netanyahou") == "benjamin-netanyahou"
    # unknown names stay what they are
    assert canonical_id("surface:Andriï Kovalenko") == "andrii-kovalenko"


def test_lookups_are_cheap_once_open() -> None:
    gazetteer = default_gazetteer()
    assert gazetteer is not None
    gazetteer.lookup("Bukavu", {"CD"})
    import time

    start = time.perf_counter()
    for name in ("Bukavu", "Goma", "Uvira", "Beni", "Butembo") * 20:
        gazetteer.lookup(name, {"CD"})
    assert time.perf_counter() - start < 0.5


def test_events_get_gazetteer_places_with_coordinates() -> None:
    from enrich.pipeline import Enricher

    analysis = Enricher().analyse_text(
        "Une frappe de drone a tué mardi cinq civils sur un marché de Kadugli, dans le "
        "Kordofan-Sud, selon un médecin de l'hôpital local."
    )
    places = {p.id: p for event in analysis.events for p in event.places}
    assert "kadugli" in places and places["kadugli"].location is not None
    assert all(event.location is not None for event in analysis.events)


# ------------------------------------------------------------ the skeleton key (last resort)


@pytest.mark.parametrize(
    ("one", "other"),
    [("Myitkyinah", "Myitkyina"), ("Mokalla", "Al Mukalla"), ("Mareb", "Marib"), ("Thaton", "Taton")],
)
def test_the_skeleton_key_folds_what_transliterations_disagree_on(one: str, other: str) -> None:
    config = default_config()
    assert config.skeleton_key(one) == config.skeleton_key(other)
    assert config.translit_key(one) != config.translit_key(other)  # the stricter key tells them apart


def test_the_skeleton_key_resolves_only_inside_the_articles_countries() -> None:
    kb = default_kb()
    mukalla = kb.place("Mokalla", {"YE"})
    assert mukalla is not None and mukalla.id == "mukalla" and mukalla.country == "YE"
    assert mukalla.location is not None and 14 < mukalla.location.lat < 15
    assert kb.place("Mokalla") is None  # no article country: no loose match anywhere in the world
    assert kb.place("Mokalla", {"FR"}) is None
    assert kb.place("Mokalla", {"YE"}, loose=False) is None
    assert kb.place("Myitkyinah", {"MM"}).id == "myitkyina"


def test_the_skeleton_key_is_never_tried_on_a_common_word() -> None:
    from enrich.pipeline import Enricher

    # "État" capitalised in a title-case headline is a common noun, not Itatskiy (Russia)
    analysis = Enricher().analyse_text(
        "Pourquoi l'État Russe Veut Contrôler Internet\n"
        "Le Kremlin a annoncé lundi de nouvelles restrictions des réseaux privés en Russie."
    )
    places = {e.id for e in analysis.entities if e.type == "LOC"}
    assert "russie" in places and "itatskiy" not in places


def test_a_town_spelled_loosely_in_a_sentence_is_located() -> None:
    from enrich.pipeline import Enricher

    analysis = Enricher().analyse_text(
        "Deux personnes ont été tuées jeudi par une frappe de drone contre un entrepôt de "
        "Mokalla, dans le sud-est du Yémen, selon des sources locales."
    )
    places = {e.id: e for e in analysis.entities if e.type == "LOC"}
    assert "mukalla" in places and places["mukalla"].location is not None
    assert places["mukalla"].precision == "exact"


# ------------------------------------------------------------ subdivisions located at their seat


@pytest.mark.parametrize(
    ("name", "country", "seat"),
    [
        ("Sanmatenga", "BF", (13.09, -1.08)),  # Kaya
        ("Ouaddaï", "TD", (13.83, 20.83)),  # Abéché
        ("Borno", "NG", (11.85, 13.16)),  # Maiduguri
        ("Vaucluse", "FR", (43.95, 4.81)),  # Avignon
    ],
)
def test_a_subdivision_no_town_names_is_located_at_its_seat(
    name: str, country: str, seat: tuple[float, float]
) -> None:
    region = default_kb().place(name, {country}, prefer="region", kinds=("region",))
    assert region is not None and region.kind == "region" and region.country == country
    assert region.location is not None
    assert abs(region.location.lat - seat[0]) < 0.2 and abs(region.location.lon - seat[1]) < 0.2


def test_subdivisions_answer_to_their_french_names() -> None:
    region = default_kb().place("Extrême-Nord", {"CM"}, prefer="region", kinds=("region",))
    assert region is not None and region.country == "CM" and region.location is not None
    assert 10 < region.location.lat < 11.5  # Maroua


def test_most_subdivisions_of_the_conflict_countries_are_located() -> None:
    gazetteer = default_gazetteer()
    assert gazetteer is not None
    rows = (
        gazetteer._db()
        .execute(
            "SELECT country, COUNT(*), SUM(lat IS NULL) FROM places WHERE kind = 'region'"
            " AND country IN ('FR', 'BF', 'SD', 'CD', 'SO', 'HT', 'MM', 'CO', 'NG', 'TD', 'CM')"
            " GROUP BY country"
        )
        .fetchall()
    )
    assert all(unlocated == 0 for _, _, unlocated in rows), rows


# ------------------------------------------------------------ places nothing locates


def _places(text: str) -> dict:
    from enrich.pipeline import Enricher

    analysis = Enricher().analyse_text(text)
    return {e.id: e for e in analysis.entities if e.type == "LOC"}


def test_a_district_takes_the_point_of_the_town_the_text_puts_it_in() -> None:
    places = _places(
        "Une explosion a détruit mardi soir un entrepôt dans le quartier de Bakalongo, à "
        "Kisangani, selon la police."
    )
    district, town = places["bakalongo"], places["kisangani"]
    assert town.precision == "exact"
    assert district.location == town.location and district.precision == "city"


def test_a_village_takes_the_point_of_its_region_chains_included() -> None:
    places = _places(
        "Des hommes armés ont incendié jeudi le village de Ndorokwa, dans le secteur de "
        "Mbilakani, dans la province du Kwilu, selon la société civile."
    )
    region = places["kwilu"]
    assert region.location is not None and region.precision == "exact"  # at its seat, Bandundu
    for village in ("ndorokwa", "mbilakani"):
        assert places[village].location == region.location and places[village].precision == "region"


def test_a_name_the_model_takes_for_a_person_is_a_place_where_the_text_puts_it() -> None:
    places = _places(
        "Deux civils ont été enlevés près de Mabangoula, dans la région de Ségou, ont indiqué "
        "des sources locales."
    )
    assert places["mabangoula"].location == places["region-de-segou"].location
    assert places["mabangoula"].precision == "region"


def test_a_place_attached_to_a_country_only_has_the_countrys_point() -> None:
    places = _places(
        "Des soldats ont été tués lors d'une attaque contre leur poste de Kouzabéni, au Tchad, selon l'armée."
    )
    assert places["kouzabeni"].location == places["tchad"].location
    assert places["kouzabeni"].precision == "country"


def test_a_place_the_text_attaches_to_nothing_takes_the_articles_place_in_its_country() -> None:
    places = _places(
        "Les jihadistes ont attaqué mardi le poste militaire de Wendoukourou. Selon une source "
        "sécuritaire à Dori, au Burkina Faso, douze soldats ont été tués."
    )
    assert places["wendoukourou"].location == places["dori"].location
    assert places["wendoukourou"].precision == "region"


def test_an_unlocated_place_keeps_its_id_and_gets_each_articles_point() -> None:
    first = _places("Des combats ont eu lieu à Ntabalonga, dans la province du Kwilu, selon l'ONU.")
    second = _places("Des combats ont eu lieu à Ntabalonga, près de Kisangani, selon l'ONU.")
    assert first["ntabalonga"].location == first["kwilu"].location
    assert second["ntabalonga"].location == second["kisangani"].location  # not the first article's


def test_events_carry_approximate_places_with_their_precision() -> None:
    from enrich.pipeline import Enricher

    analysis = Enricher().analyse_text(
        "Deux civils ont été tués mardi par une frappe de drone sur le marché de Kalambayi, "
        "dans le territoire de Masikini, au Nord-Kivu, selon la société civile."
    )
    places = {p.id: p for event in analysis.events for p in event.places}
    assert places and all(p.location is not None and p.precision is not None for p in places.values())
    assert places["kalambayi"].precision == "region"


def test_a_place_a_distance_away_and_a_place_after_a_place_noun_are_located() -> None:
    places = _places(
        "Des miliciens ont attaqué le hameau de Kwendala, à une vingtaine de kilomètres au sud "
        "de Kisangani. Plus tard, des tirs ont visé le quartier de Mabondo Ya Sika, selon la police."
    )
    assert places["kwendala"].location == places["kisangani"].location
    assert places["kwendala"].precision == "city"
    assert places["mabondo-ya-sika"].location is not None  # the article's place in its country


def test_the_place_of_a_facility_is_the_place() -> None:
    places = _places("Une frappe a touché la mosquée de Ndiamalou, près de Kayes, au Mali, vendredi.")
    assert "ndiamalou" in places and places["ndiamalou"].location == places["kayes"].location


# ------------------------------------------------------------ subdivisions by their French names


def test_a_subdivision_noun_before_a_name_without_preposition_names_the_subdivision() -> None:
    gazetteer = default_gazetteer()
    assert gazetteer is not None
    helmand = gazetteer.lookup("province Helmand", {"AF"})
    assert helmand is not None and helmand.alt_id == "iso-af-hel" and helmand.located
    karenni = gazetteer.lookup("État Karenni", {"MM"})  # the French name of Kayah, after its noun
    assert karenni is not None and karenni.alt_id == "iso-mm-12" and karenni.located
    assert gazetteer.lookup("région Lyon", {"FR"}) is None  # a town is no region of its name


def test_a_region_written_after_its_noun_without_preposition_is_the_region() -> None:
    places = _places(
        "Un incendie a ravagé 300 hectares de pinède dans la région Normandie, près d'Évreux, "
        "ont annoncé les pompiers dimanche."
    )
    region = default_gazetteer().by_id("iso-fr-nor")
    assert region is not None and region.id in places
    assert places[region.id].precision == "exact" and places[region.id].location is not None


@pytest.mark.parametrize(
    ("name", "country", "code"),
    [
        ("Kordofan-Ouest", "SD", "sd-gk"),  # West Kordofan
        ("Darfour central", "SD", "sd-dc"),  # Central Darfur
        ("Equatoria oriental", "SS", "ss-ee"),  # Eastern Equatoria
        ("Papouasie centrale", "ID", "id-pt"),  # Papua Tengah (gazetteer.yaml subdivision_names)
        ("Bas-Djouba", "SO", "so-jh"),  # Jubbada Hoose
        ("Kurdistan irakien", "IQ", "iq-kr"),
    ],
)
def test_subdivisions_answer_to_the_french_names_the_press_gives_them(
    name: str, country: str, code: str
) -> None:
    gazetteer = default_gazetteer()
    assert gazetteer is not None
    place = gazetteer.lookup(name, {country})
    assert place is not None and place.alt_id == f"iso-{code}"
    assert place.located  # at its seat
    assert gazetteer.lookup(name, {"FR"}) is None  # a subdivision only inside the article's countries


def test_a_region_compares_whichever_spelling_its_town_has() -> None:
    # "l'oblast de Tcheliabinsk" and "the Chelyabinsk oblast": one region, though only the French
    # spelling is a name of the region (the English one names the town exactly)
    assert canonical_place_id("oblast-de-tcheliabinsk") == canonical_place_id("oblast-de-chelyabinsk")
    # the noun tells homonymous subdivisions apart: the State of Plateau (Nigeria) is no département
    assert canonical_place_id("etat-du-plateau") == canonical_place_id("etat-de-plateau")
    assert canonical_place_id("etat-du-plateau") != canonical_place_id("departement-du-plateau")


def test_the_last_resort_keeps_a_final_vowel() -> None:
    config = default_config()
    assert config.skeleton_key("Beledweyne") == config.skeleton_key("Beledweyn")  # a silent e
    assert config.skeleton_key("Kfar Kela") == config.skeleton_key("Kfar Kila")
    assert config.skeleton_key("Soubré") != config.skeleton_key("Soubri")  # a vowel of its own


@pytest.mark.parametrize(
    ("french", "geonames"),
    [
        ("Tell Abyad", "Tall Abyaḑ"),
        ("Djebel Marra", "Jabal Marra"),
        ("Kfar Hamam", "Kafr Ḩamām"),
        ("Ksar Hellal", "Qasr Hellal"),
        ("Oued Zem", "Wadi Zem"),
        ("Haouch Moussa", "Hawsh Mūsá"),
        ("Beit Jala", "Bayt Jālā"),
        ("Deir Qanoun", "Dayr Qānūn"),
    ],
)
def test_arabic_words_of_place_names_share_one_key(french: str, geonames: str) -> None:
    config = default_config()
    assert config.translit_key(french) == config.translit_key(geonames)


def test_a_town_spelled_the_french_way_in_arabic_is_found() -> None:
    kb = default_kb()
    town = kb.place("Tell Abyad", {"SY"})
    assert town is not None and town.country == "SY" and town.location is not None
    assert 36 < town.location.lat < 37  # on the Turkish border


def test_an_apostrophe_inside_a_word_is_no_part_of_a_place_id() -> None:
    # GeoNames writes a soft sign or a glottal stop with an apostrophe ("Debre Mark’os"); the
    # press does not: the id is the name as written in French, and that name is the town's own
    town = default_kb().place("Debre Markos", {"ET"})
    assert town is not None and town.id == "debre-markos" and town.location is not None
    assert default_config().name_key("Côte d’Ivoire") == "cote-d-ivoire"  # an elision stays
    assert default_config().name_key("Ville-d'Avray") == "ville-d-avray"


# ------------------------------------------------------------ names without their article


@pytest.mark.parametrize(
    ("surface", "country", "place_id"),
    [
        ("Blanc-Mesnil", "FR", "le-blanc-mesnil"),  # "au Blanc-Mesnil"
        ("Chesnay", "FR", "le-chesnay"),  # "une école du Chesnay"
        ("Teste-de-Buch", "FR", "la-teste-de-buch"),
        ("Louvière", "BE", "la-louviere"),
        ("Ceja", "CO", "la-ceja"),
        ("Plateau-Mont-Royal", "CA", "le-plateau-mont-royal"),
    ],
)
def test_a_name_written_without_its_article_is_the_place(surface: str, country: str, place_id: str) -> None:
    place = default_kb().place(surface, {country})
    assert place is not None and place.id == place_id and place.country == country
    assert place.location is not None


def test_a_contraction_that_ate_the_article_still_locates_the_town() -> None:
    places = _places(
        "Deux adolescents ont été blessés par balle samedi soir au Blanc-Mesnil, en "
        "Seine-Saint-Denis, a indiqué le parquet."
    )
    assert places["le-blanc-mesnil"].precision == "exact" and places["le-blanc-mesnil"].location is not None
    places = _places(
        "Un incendie criminel a détruit une école du Chesnay dans la nuit de mardi, selon la mairie."
    )
    assert places["le-chesnay"].location is not None
    places = _places(
        "Des habitants du quartier du Plateau-Mont-Royal, à Montréal, ont été évacués après une explosion."
    )
    assert places["le-plateau-mont-royal"].precision == "exact"


# ------------------------------------------------------------ a capital named like its country abroad


def test_mexico_is_the_capital_not_the_country() -> None:
    kb = default_kb()
    for countries in ({"MX"}, set(), {"FR"}):
        town = kb.place("Mexico", countries)
        assert town is not None and town.kind != "country" and town.country == "MX"
        assert town.location is not None and 19 < town.location.lat < 20
    places = _places(
        "MEXICO — Trois policiers ont été tués lundi dans une embuscade tendue par un cartel, au Mexique."
    )
    assert "mexique" in places and places["mexique"].surface == "Mexique"
    assert any(e.surface == "MEXICO" and e.id != "mexique" for e in places.values())
    places = _places(
        "Des milliers de personnes ont manifesté dimanche à Mexico contre la violence des cartels."
    )
    assert "mexique" not in places
    assert canonical_place_id("mexico") == canonical_place_id(places[next(iter(places))].id)


@pytest.mark.parametrize(
    ("surface", "place_id"),
    [
        ("Koweït", "koweit"),
        ("Guatemala", "guatemala"),
        ("Djibouti", "pays-djibouti"),
        ("Panama", "pays-panama"),
    ],
)
def test_a_country_of_its_french_name_stays_the_country(surface: str, place_id: str) -> None:
    place = default_gazetteer().lookup(surface)
    assert place is not None and place.kind == "country" and place.id == place_id


# ------------------------------------------------------------ transliterations of endings and initials


@pytest.mark.parametrize(
    ("french", "geonames"),
    [
        ("Nabatiyé", "Nabatiyah"),
        ("Jabaliya", "Jabalia"),
        ("Souleimaniyeh", "Sulaymaniyah"),
        ("Mahmoudiya", "Al Mahmudiyah"),
        ("Kamichliyé", "Qamishliyah"),
    ],
)
def test_the_nisba_ending_shares_one_key_however_written(french: str, geonames: str) -> None:
    config = default_config()
    assert config.translit_key(french) == config.translit_key(geonames)


def test_a_town_with_a_nisba_ending_written_the_french_way_is_found() -> None:
    town = default_kb().place("Nabatiya", {"LB"})
    assert town is not None and town.country == "LB" and town.location is not None
    assert 33 < town.location.lat < 34


@pytest.mark.parametrize(
    ("one", "other"),
    [("Hpapun", "Papun"), ("Hpakant", "Pakant"), ("Htantabin", "Tantabin"), ("Hkamti", "Kamti")],
)
def test_a_burmese_aspirate_written_first_is_folded_by_the_last_resort(one: str, other: str) -> None:
    config = default_config()
    assert config.skeleton_key(one) == config.skeleton_key(other)


def test_a_burmese_town_with_its_aspirate_is_found_in_myanmar() -> None:
    town = default_kb().place("Hpapun", {"MM"})
    assert town is not None and town.country == "MM" and town.location is not None
    assert (
        default_kb().place("Hpapun", {"TH"}) is None or default_kb().place("Hpapun", {"TH"}).country != "TH"
    )


# A large town's alternate name that a town of its own country bears as its own name is a local
# second form there, not an exonym: it does not make the large town of a name met abroad.
@pytest.mark.parametrize(
    ("surface", "countries", "wrong"),
    [
        ("Oleksandrivka", ("RU",), "donetsk"),
        ("Jonestown", ("FR",), "baltimore"),
        ("Franklinton", ("GB",), "columbus"),
        ("Turi", ("PK",), "turin"),
        ("Old Town", ("ML",), "las-vegas"),
        ("Villa Madero", ("CO",), "gustavo-adolfo-madero"),
    ],
)
def test_a_local_second_name_of_a_large_town_is_no_exonym(
    surface: str, countries: tuple[str, ...], wrong: str
) -> None:
    gazetteer = default_gazetteer()
    chosen = gazetteer.lookup(surface, countries)
    assert chosen is None or chosen.id != wrong


@pytest.mark.parametrize(
    ("surface", "countries", "place_id"),
    [
        ("Cologne", ("UA",), "koln"),
        ("Alger", ("FR",), "algiers"),
        ("Stalingrad", ("FR",), "volgograd"),
        ("Bucarest", ("FR",), "bucharest"),
        ("Mascate", ("YE",), "muscat"),
    ],
)
def test_exonyms_of_large_towns_still_name_them(
    surface: str, countries: tuple[str, ...], place_id: str
) -> None:
    chosen = default_gazetteer().lookup(surface, countries)
    assert chosen is not None and chosen.id == place_id


# A small town of the article's countries that lists the name only as an alternate one (an old or
# a dialect name) does not hide the large town abroad that bears it as its own name.
@pytest.mark.parametrize(
    ("surface", "countries", "place_id", "wrong"),
    [
        ("Bonn", ("FR",), "bonn", "bouin"),
        ("Belém", ("FR",), "belem", "belleme"),
        ("Bol", ("FR",), "bol", "baule"),
        ("Durban", ("FR",), "durban", "durban-corbieres"),
        ("Séguéla", ("ML",), "seguela", "sagala"),
        ("Mongu", ("NG",), "mongu", "mangu"),
        ("Kuntsevo", ("UA",), "kuntsevo", "kuntseve"),
    ],
)
def test_a_home_village_known_by_an_alternate_name_does_not_hide_the_town_of_that_name(
    surface: str, countries: tuple[str, ...], place_id: str, wrong: str
) -> None:
    chosen = default_gazetteer().lookup(surface, countries)
    assert chosen is not None and chosen.id == place_id != wrong


@pytest.mark.parametrize(
    ("surface", "countries", "wrong"),
    [
        ("Marine", ("FR",), "marigne"),
        ("Keller", ("FR",), "le-cellier"),
        ("Franklin", ("FR",), "saint-vivien"),
    ],
)
def test_a_common_name_is_no_home_village_by_an_old_name(
    surface: str, countries: tuple[str, ...], wrong: str
) -> None:
    chosen = default_gazetteer().lookup(surface, countries)
    assert chosen is None or (chosen.id != wrong and chosen.own)


@pytest.mark.parametrize(
    ("surface", "countries", "place_id"),
    [
        ("Laval", ("FR",), "laval-fr"),  # a home town of that own name stays the home town
        ("Saint-Louis", ("FR",), "saint-louis-fr"),
        ("Oleksandrivka", ("UA",), "oleksandrivka"),
        ("Grand-Bornand", ("FR",), "le-grand-bornand"),  # its name without its article
        ("Turi", ("IT",), "turi"),
    ],
)
def test_a_home_place_of_that_name_is_still_chosen(
    surface: str, countries: tuple[str, ...], place_id: str
) -> None:
    chosen = default_gazetteer().lookup(surface, countries)
    assert chosen is not None and chosen.id == place_id


@pytest.mark.parametrize(
    ("text", "place_id", "wrong"),
    [
        (
            "Le ministre français des Armées s'est rendu lundi à Bonn pour rencontrer son homologue.",
            "bonn",
            "bouin",
        ),
        (
            "Une délégation de diplomates français est arrivée mercredi à Belém, où s'ouvre la conférence.",
            "belem",
            "belleme",
        ),
        (
            "Des soldats tchadiens ont repoussé une attaque près de Bol, selon un communiqué transmis à Paris.",
            "bol",
            "baule",
        ),
        (
            "Des militaires français ont été déployés à Durban pour une escale, a indiqué l'état-major.",
            "durban",
            "durban-corbieres",
        ),
    ],
)
def test_an_article_about_france_does_not_bring_a_foreign_town_home(
    text: str, place_id: str, wrong: str
) -> None:
    places = _places(text)
    assert place_id in places and wrong not in places


@pytest.mark.parametrize(
    ("text", "wrong"),
    [
        ("Les anciens de la tribu Turi ont accepté un cessez-le-feu au Pakistan.", "turin"),
        ("Des heurts ont éclaté à Jonestown, en Guyana, entre la police et des manifestants.", "baltimore"),
        (
            "Trois maisons ont brûlé à Franklinton, dans le Lancashire, selon les pompiers britanniques.",
            "columbus",
        ),
        (
            "Les forces russes disent avoir pris Oleksandrivka, selon le ministère russe de la Défense.",
            "donetsk",
        ),
    ],
)
def test_a_second_local_name_met_abroad_is_not_the_large_town(text: str, wrong: str) -> None:
    assert wrong not in _places(text)


@pytest.mark.parametrize(
    ("surface", "countries", "place_id"),
    [
        ("Płock", ("PL",), "plock"),
        ("Łódź", ("PL",), "lodz"),
        ("BIAŁYSTOK", ("PL",), "bialystok"),
        ("Tromsø", ("NO",), "tromso"),
        ("Đakovo", ("HR",), "dakovo"),
        ("Ħamrun", ("MT",), "hamrun"),
    ],
)
def test_a_letter_that_is_no_accented_one_stays_in_the_id(
    surface: str, countries: tuple[str, ...], place_id: str
) -> None:
    chosen = default_gazetteer().lookup(surface, countries)
    assert chosen is not None and chosen.id == place_id


# ------------------------------------------- subdivisions named by their seat's adjective (issue 14)


@pytest.mark.parametrize(
    ("surface", "code", "lat", "lon"),
    [
        ("Koursk", "iso-ru-krs", 51.7, 36.2),  # Kurskaya oblast'
        ("Belgorod", "iso-ru-bel", 50.6, 36.6),
        ("Tambov", "iso-ru-tam", 52.7, 41.4),
        ("Smolensk", "iso-ru-smo", 54.8, 32.0),
        ("Lipetsk", "iso-ru-lip", 52.6, 39.6),
        ("Orel", "iso-ru-orl", 52.97, 36.06),  # the seat is Oryol, not a village Orlov
    ],
)
def test_an_oblast_named_by_its_seats_adjective_answers_to_the_seat(
    surface: str, code: str, lat: float, lon: float
) -> None:
    region = default_gazetteer().lookup(surface, {"RU"}, prefer="region", kinds=("region",))
    assert region is not None and region.alt_id == code and region.located
    assert abs(region.lat - lat) < 0.5 and abs(region.lon - lon) < 0.5


def test_a_town_named_like_its_oblast_is_still_the_town() -> None:
    town = default_gazetteer().lookup("Koursk", {"RU"})
    assert town is not None and town.kind == "city"


@pytest.mark.parametrize(
    ("text", "town"),
    [
        ("Trente drones ont été abattus au-dessus de la région de Tambov, selon Moscou.", "Tambov"),
        (
            "L'oblast de Smolensk a été visé par une attaque de drones dans la nuit, a dit le gouverneur.",
            "Smolensk",
        ),
        (
            "Un dépôt de carburant a pris feu dans la région de Lipetsk après une frappe ukrainienne.",
            "Lipetsk",
        ),
        (
            "La défense antiaérienne russe dit avoir intercepté deux missiles au-dessus de la région de Koursk.",
            "Koursk",
        ),
    ],
)
def test_the_region_of_a_russian_town_is_located_and_compares_with_its_framed_id(
    text: str, town: str
) -> None:
    places = _places(text)
    regions = [e for e in places.values() if e.location is not None and town.lower() in e.surface.lower()]
    assert regions, places
    framed = canonical_place_id(f"oblast-de-{town.lower()}")
    assert any(canonical_id(e.id) == framed for e in regions)


# ---------------------------------------------------------- directions made of two directions


@pytest.mark.parametrize(
    ("surface", "countries", "code"),
    [
        ("Haut-Ouest", ("GH",), "iso-gh-uw"),  # Upper West
        ("Haut-Est", ("GH",), "iso-gh-ue"),
        ("Nord-Est", ("GH",), "iso-gh-ne"),  # North East
        ("Nord-Ouest", ("SL",), "iso-sl-nw"),  # North Western
    ],
)
def test_a_subdivision_named_by_two_directions_answers_to_its_french_name(
    surface: str, countries: tuple[str, ...], code: str
) -> None:
    region = default_gazetteer().lookup(surface, countries, prefer="region", kinds=("region",))
    assert region is not None and region.alt_id == code and region.located


# ------------------------------------------------------ "and" between the halves of a name


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Sistan-et-Baloutchistan", "Sistan va Baloutchistan"),
        ("Chaharmahal-et-Bakhtiari", "Chahar Mahal va Bakhtiari"),
        ("Saint-Kitts-et-Nevis", "Saint Kitts and Nevis"),
        ("Antigua-et-Barbuda", "Antigua y Barbuda"),
        ("Kohgiluyeh-et-Boyer-Ahmad", "Kohgiluyeh-Boyer-Ahmad"),
    ],
)
def test_and_between_two_names_is_no_part_of_the_key(one: str, other: str) -> None:
    config = default_config()
    assert config.translit_key(one) == config.translit_key(other)


@pytest.mark.parametrize(
    "surface",
    ["Sistan-et-Baloutchistan", "Sistan-Baloutchistan", "Sistan-o-Baloutchistan", "SISTAN-BALOUCHISTAN"],
)
def test_a_province_named_with_or_without_its_and_is_one_place(surface: str) -> None:
    region = default_gazetteer().lookup(surface, {"IR"})
    assert region is not None and region.alt_id == "iso-ir-11" and region.located
    assert canonical_place_id("sistan-et-baloutchistan") == canonical_place_id(slug(surface))


def slug(name: str) -> str:
    from enrich.text import slugify

    return slugify(name)


@pytest.mark.parametrize(
    ("surface", "code"),
    [
        ("Oddar Meanchey", "iso-kh-22"),
        ("Banteay Meanchey", "iso-kh-1"),
        ("Mondulkiri", "iso-kh-11"),
        ("Ratanakiri", "iso-kh-16"),
    ],
)
def test_cambodian_provinces_answer_to_the_press_spelling(surface: str, code: str) -> None:
    region = default_gazetteer().lookup(surface, {"KH", "TH"})
    assert region is not None and region.alt_id == code and region.located


# ------------------------------------------- a famous town abroad over a village at home


@pytest.mark.parametrize(
    ("surface", "countries", "place_id"),
    [
        ("Montréal", ("FR",), "montreal"),  # not the village of the Aude
        ("Belgrade", ("BE",), "belgrade"),  # not the section of Namur
        ("Medellín", ("ES",), "medellin"),  # not the village of Extremadura
        ("Rosario", ("IT",), "rosario"),
        ("Agra", ("IT",), "agra"),
    ],
)
def test_a_famous_town_abroad_is_not_hidden_by_a_home_village_of_its_name(
    surface: str, countries: tuple[str, ...], place_id: str
) -> None:
    chosen = default_gazetteer().lookup(surface, countries)
    assert chosen is not None and chosen.id == place_id and chosen.country not in countries


@pytest.mark.parametrize(
    ("surface", "countries", "place_id"),
    [
        ("Lagos", ("PT",), "lagos-pt"),  # a town, not a village: the home one
        ("San Jose", ("PH",), "san-jose-ph"),
        ("Laval", ("FR",), "laval-fr"),
        ("Tripoli", ("LB",), "tripoli-lb"),
    ],
)
def test_a_home_town_of_a_famous_name_stays_home(
    surface: str, countries: tuple[str, ...], place_id: str
) -> None:
    chosen = default_gazetteer().lookup(surface, countries)
    assert chosen is not None and chosen.id == place_id


# -------------------------------------------------- Cyrillic shch however French writes it


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Chtchastia", "Shchastia"),
        ("Pichtchane", "Pishchane"),
        ("Borchtchiv", "Borshchiv"),
        ("Chtchors", "Shchors"),
        ("Pischane", "Pishchane"),
    ],
)
def test_shch_written_any_way_shares_one_key(one: str, other: str) -> None:
    config = default_config()
    assert config.translit_key(one) == config.translit_key(other)


def test_a_ukrainian_village_spelled_with_sch_is_found_and_compares() -> None:
    village = default_gazetteer().lookup("Pischane", {"UA"})
    assert village is not None and village.id == "pishchane" and not village.loose
    assert canonical_place_id("pischane") == canonical_place_id("pishchane")


# ------------------------------------- a subdivision is framed only by a town of its own country


@pytest.mark.parametrize(
    ("bare", "framed"),
    [
        ("normandie", "region-de-normandie"),
        ("choco", "departement-de-choco"),
        ("var", "departement-du-var"),
        ("pool", "departement-du-pool"),
        ("marne", "departement-de-la-marne"),
    ],
)
def test_a_subdivision_a_town_abroad_is_named_like_compares_bare_and_framed(bare: str, framed: str) -> None:
    assert canonical_place_id(bare) == canonical_place_id(framed)


def test_a_subdivision_named_like_a_town_of_its_country_stays_apart_from_it() -> None:
    assert canonical_place_id("region-de-kayes") != canonical_place_id("kayes")
    region = default_gazetteer().by_id("iso-ml-1")
    assert region is not None and region.id == "region-de-kayes"


# -------------------------------------------------------------- subdivisions at their seat


@pytest.mark.parametrize(
    ("code", "lat", "lon"),
    [
        ("iso-in-cg", 21.2, 81.6),  # Chhattisgarh at Raipur
        ("iso-in-as", 26.1, 91.8),  # Assam at Dispur
        ("iso-cn-xj", 43.8, 87.6),  # Xinjiang at Ürümqi
        ("iso-cg-12", -4.3, 14.8),  # Pool at Kinkala
        ("iso-lr-lo", 8.4, -9.7),  # Lofa at Voinjama
        ("iso-ph-14", 7.2, 124.2),  # Muslim Mindanao at Cotabato
    ],
)
def test_subdivisions_are_located_at_their_seat(code: str, lat: float, lon: float) -> None:
    region = default_gazetteer().by_id(code)
    assert region is not None and region.located
    assert abs(region.lat - lat) < 0.6 and abs(region.lon - lon) < 0.6


@pytest.mark.parametrize(
    ("code", "lat", "lon"),
    [
        ("iso-ma-03", 34.0, -5.0),  # Fès-Meknès at Fès
        ("iso-ma-06", 33.6, -7.6),  # Casablanca-Settat at Casablanca
        ("iso-ma-07", 31.6, -8.0),  # Marrakech-Safi at Marrakech
        ("iso-ro-bn", 47.1, 24.5),  # Bistrița-Năsăud at Bistrița
    ],
)
def test_a_region_named_after_its_towns_is_located_at_the_first(code: str, lat: float, lon: float) -> None:
    region = default_gazetteer().by_id(code)
    assert region is not None and region.located
    assert abs(region.lat - lat) < 0.6 and abs(region.lon - lon) < 0.6
