"""CSV tables researchers already know: an ACLED-style event table (one row per event) and a GTD-style
incident table (one row per incident), each followed by ``tl_`` columns that keep our ids, types,
statuses and source spans. How our types map is the data below; docs/formats.md explains it.

Negated or hypothetical events are left out of both tables: ACLED and GTD record what happened.
"""

from __future__ import annotations

import csv
import hashlib
from typing import IO

from threatledger.export.base import event_documents, live_events, precision_of
from threatledger.export.collect import LedgerView
from threatledger.export.geo import Place, locate
from threatledger.store.records import EventView, IncidentDetail

VIOLENCE, REMOTE, STRATEGIC = (
    "Violence against civilians",
    "Explosions/Remote violence",
    "Strategic developments",
)
# our event type -> (ACLED event_type, sub_event_type)
ACLED_TYPES: dict[str, tuple[str, str]] = {
    "PLOT": (STRATEGIC, "Other"),
    "ATTACK": (VIOLENCE, "Attack"),
    "THREAT": (STRATEGIC, "Other"),
    "FATWA": (STRATEGIC, "Other"),
    "KILLING": (VIOLENCE, "Attack"),
    "CYBERATTACK": (STRATEGIC, "Other"),
    "ARREST": (STRATEGIC, "Arrests"),
    "SEARCH_RAID": (STRATEGIC, "Other"),
    "CHARGE": (STRATEGIC, "Other"),
    "TRIAL": (STRATEGIC, "Other"),
    "CONVICTION": (STRATEGIC, "Other"),
    "SENTENCE": (STRATEGIC, "Other"),
    "RELEASE": (STRATEGIC, "Other"),
    "TRANSFER": (STRATEGIC, "Agreement"),
    "EXTRADITION": (STRATEGIC, "Other"),
    "SANCTION": (STRATEGIC, "Other"),
    "EXECUTION": (STRATEGIC, "Other"),
    "DIPLOMATIC_ACTION": (STRATEGIC, "Other"),
}
# an ATTACK told with a bomb word is Explosions/Remote violence; any other, Violence against civilians
ACLED_ATTACK_WORDS = {"bomb": (REMOTE, "Remote explosive/landmine/IED")}
# our violent event type -> GTD attacktype1_txt; "" for what GTD does not count as an attack
GTD_ATTACK_TYPES: dict[str, str] = {
    "KILLING": "Assassination",
    "ATTACK": "Unknown",
    "PLOT": "Unknown",
    "CYBERATTACK": "Unknown",
    "THREAT": "",
    "FATWA": "",
}
# an ATTACK's GTD attack type by the start of its trigger word
GTD_ATTACK_WORDS = {
    "bomb": "Bombing/Explosion",
    "firebomb": "Bombing/Explosion",
    "shoot": "Armed Assault",
    "shot": "Armed Assault",
    "stab": "Armed Assault",
    "assault": "Armed Assault",
    "poison": "Unarmed Assault",
    "arson": "Facility/Infrastructure Attack",
    "hijack": "Hijacking",
    "divert": "Hijacking",
    "forc": "Hijacking",
}
GTD_SUCCESS = {"ATTACK": "1", "KILLING": "1", "CYBERATTACK": "1", "PLOT": "0", "THREAT": "", "FATWA": ""}
TIME_PRECISION = {"day": "1", "month": "3", "year": "3", "none": ""}
GTD_SPECIFICITY = {1: "1", 3: "5", 0: ""}

TL_EVENT_COLUMNS = (
    "tl_event_id",
    "tl_incident_id",
    "tl_type",
    "tl_status",
    "tl_review",
    "tl_date",
    "tl_document_id",
    "tl_url",
    "tl_trigger_start",
    "tl_trigger_end",
    "tl_sentence_start",
    "tl_sentence_end",
)
ACLED_COLUMNS = (
    "event_id_cnty",
    "event_date",
    "event_type",
    "sub_event_type",
    "actor1",
    "assoc_actor_1",
    "actor2",
    "assoc_actor_2",
    "country",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "time_precision",
    "source",
    "notes",
    *TL_EVENT_COLUMNS,
)
GTD_COLUMNS = (
    "eventid",
    "iyear",
    "imonth",
    "iday",
    "approxdate",
    "country_txt",
    "city",
    "latitude",
    "longitude",
    "specificity",
    "summary",
    "success",
    "attacktype1_txt",
    "target1",
    "gname",
    "scite1",
    "scite2",
    "scite3",
    "dbsource",
    "tl_incident_id",
    "tl_event_types",
    "tl_first_date",
    "tl_last_date",
    "tl_perpetrators",
    "tl_sponsors",
    "tl_accountability",
    "tl_documents",
)


def _number(value: str, digits: int) -> int:
    number: int = int(hashlib.sha256(value.encode("utf-8")).hexdigest(), 16) % 10**digits
    return number


def _names(event: EventView, role: str) -> list[str]:
    return list(dict.fromkeys(event.names(role)))


def _date_parts(value: str | None) -> tuple[str, str, str]:
    """Year, month and day of a ``YYYY[-MM[-DD]]`` date; what is unknown is "0", as GTD writes it."""
    if not value:
        return "0", "0", "0"
    parts = [str(int(p)) for p in value.split("-")] + ["0", "0"]
    return parts[0], parts[1], parts[2]


def acled_type(event: EventView) -> tuple[str, str]:
    """The ACLED event type and sub-event type of one of our events."""
    if event.type == "ATTACK":
        word = event.trigger.lower()
        for start, mapped in ACLED_ATTACK_WORDS.items():
            if word.startswith(start):
                return mapped
    return ACLED_TYPES[event.type]


def gtd_attack_type(event: EventView) -> str:
    if event.type == "ATTACK":
        word = event.trigger.lower()
        return next((v for k, v in GTD_ATTACK_WORDS.items() if word.startswith(k)), "Unknown")
    return GTD_ATTACK_TYPES.get(event.type, "")


class CsvExporter:
    """Writes the ACLED-style event table (``table="acled"``) or the GTD-style incident table (``"gtd"``)."""

    def __init__(self, out: IO[str], view: LedgerView, *, table: str = "acled") -> None:
        self.view, self.table = view, table
        columns = ACLED_COLUMNS if table == "acled" else GTD_COLUMNS
        self.writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
        self.writer.writeheader()
        self.rows = 0

    def _place(self, event: EventView) -> Place | None:
        args = event.roles.get("place", ())
        if not args:
            return None
        entity = self.view.entity(args[0].entity_id)
        return locate(args[0].entity_name or args[0].name, entity.country if entity else None)

    def _source(self, event: EventView) -> str:
        return "; ".join(dict.fromkeys(self.view.document(d).label for d in event_documents(event)))

    def write(self, incident: IncidentDetail) -> None:
        if self.table == "acled":
            for event in live_events(incident):
                self.writer.writerow(self._acled_row(event))
                self.rows += 1
        elif live_events(incident):
            self.writer.writerow(self._gtd_row(incident))
            self.rows += 1

    def finalize(self) -> None:
        """Rows are written as they come; nothing is held back."""

    def _acled_row(self, event: EventView) -> dict[str, str]:
        place = self._place(event) or Place("")
        actors = _names(event, "agent") or _names(event, "sponsor")
        associates = [n for n in _names(event, "agent") + _names(event, "sponsor") if n not in actors[:1]]
        targets = _names(event, "target")
        event_type, sub_type = acled_type(event)
        return {
            "event_id_cnty": f"{place.country_alpha3 or 'XXX'}{_number(event.id, 8)}",
            "event_date": _first_day(event.date),
            "event_type": event_type,
            "sub_event_type": sub_type,
            "actor1": actors[0] if actors else "",
            "assoc_actor_1": "; ".join(associates),
            "actor2": targets[0] if targets else "",
            "assoc_actor_2": "; ".join(targets[1:]),
            "country": place.country_name,
            "location": place.name,
            "latitude": _coordinate(place.latitude),
            "longitude": _coordinate(place.longitude),
            "geo_precision": str(place.precision or ""),
            "time_precision": TIME_PRECISION[precision_of(event.date)],
            "source": self._source(event),
            "notes": event.sentence,
            **self._tl_event(event),
        }

    def _tl_event(self, event: EventView) -> dict[str, str]:
        src = event.source
        return {
            "tl_event_id": event.id,
            "tl_incident_id": event.incident_id,
            "tl_type": event.type,
            "tl_status": event.status,
            "tl_review": event.review or "",
            "tl_date": event.date or "",
            "tl_document_id": src.document_id,
            "tl_url": src.url or "",
            "tl_trigger_start": str(src.start),
            "tl_trigger_end": str(src.end),
            "tl_sentence_start": str(src.sentence_start),
            "tl_sentence_end": str(src.sentence_end),
        }

    def _gtd_row(self, incident: IncidentDetail) -> dict[str, str]:
        events = live_events(incident)
        violent = [e for e in events if e.type in GTD_ATTACK_TYPES]
        main = violent[0] if violent else events[0]
        place = next((p for p in (self._place(e) for e in [main, *events]) if p), None) or Place("")
        year, month, day = _date_parts(main.date)
        dates = sorted(e.date for e in events if e.date)
        return {
            "eventid": f"{int(year):04d}{int(month):02d}{int(day):02d}{_number(incident.id, 4):04d}",
            "iyear": year,
            "imonth": month,
            "iday": day,
            "approxdate": main.date or "" if precision_of(main.date) != "day" else "",
            "country_txt": place.country_name,
            "city": place.name if place.precision == 1 else "",
            "latitude": _coordinate(place.latitude),
            "longitude": _coordinate(place.longitude),
            "specificity": GTD_SPECIFICITY[place.precision],
            "summary": f"{main.date or 'Undated'}: {incident.summary}",
            "success": GTD_SUCCESS.get(main.type, "") if violent else "",
            "attacktype1_txt": gtd_attack_type(main) if violent else "",
            "target1": "; ".join(_names(main, "target")),
            "gname": self._group(violent),
            **self._citations(incident),
            "dbsource": "threatledger",
            "tl_incident_id": incident.id,
            "tl_event_types": "; ".join(dict.fromkeys(e.type for e in events)),
            "tl_first_date": dates[0] if dates else "",
            "tl_last_date": dates[-1] if dates else "",
            "tl_perpetrators": "; ".join(dict.fromkeys(n for e in violent for n in _names(e, "agent"))),
            "tl_sponsors": "; ".join(dict.fromkeys(n for e in violent for n in _names(e, "sponsor"))),
            "tl_accountability": "; ".join(f"{a.name}: {a.status}" for a in incident.accountability),
            "tl_documents": "; ".join(incident.documents),
        }

    def _group(self, violent: list[EventView]) -> str:
        """GTD's perpetrator group: the sponsors, else the organisations and states that acted."""
        sponsors = [n for e in violent for n in _names(e, "sponsor")]
        groups = [
            a.entity_name or a.name
            for e in violent
            for a in e.roles.get("agent", ())
            if getattr(self.view.entity(a.entity_id), "type", "") in ("ORG", "STATE")
        ]
        return "; ".join(dict.fromkeys(sponsors or groups)) or ("Unknown" if violent else "")

    def _citations(self, incident: IncidentDetail) -> dict[str, str]:
        cites = {}
        for i, doc_id in enumerate(incident.documents[:3], start=1):
            doc = self.view.document(doc_id)
            parts = [doc.outlet, f'"{doc.title}"' if doc.title else None, doc.published, doc.url]
            cites[f"scite{i}"] = ", ".join(p for p in parts if p) or doc.id
        return {f"scite{i}": cites.get(f"scite{i}", "") for i in (1, 2, 3)}


def _first_day(value: str | None) -> str:
    """ACLED's event_date: a full date; a month or year gives its first day (time_precision says so)."""
    if not value:
        return ""
    return (value + "-01-01")[:10] if len(value) == 4 else (value + "-01")[:10]


def _coordinate(value: float | None) -> str:
    return f"{value:.4f}" if value is not None else ""
